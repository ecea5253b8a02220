"""smallnet plot: a saved model drawn (loss curve, decision boundary, network, regression fit)."""

from .common import check_output, data_path
from .model import model_inputs, model_outputs, model_target, read_model, true_values

DRAWS = {  # --kind: the task it needs, in words
    "boundary": ("classification", "a classifier", "classes"),
    "regression": ("regression", "a regression model", "fit"),
}


def plot(args):
    args.data = data_path(args, needed=False)
    model = read_model(args.model)
    check_output(args.output, model=args.model, data=args.data)
    _check_kind(args, model)
    X = y = None
    if args.data is not None:  # a --target for --kind network is checked, though not drawn
        target = model_target(model, args.target) if args.kind in DRAWS or args.target else None
        table, _ = model_outputs(model, args.data, target, ignore=args.ignore)
        X = model_inputs(model, table)
        if args.kind in DRAWS:
            y = true_values(model, table, target)
    if args.kind == "loss" and model.net.history is None:
        raise ValueError(f"{args.model}: no training history saved with this model")
    _draw(args, model, X, y)
    print(f"wrote {args.output}")


def _check_kind(args, model):
    """Refuse a --kind that the model or the data options given can't draw."""
    data_option = "--dataset" if args.dataset else "--data"
    given = [
        option
        for option, value in (
            (data_option, args.data),
            ("--target", args.target),
            ("--ignore", args.ignore),
        )
        if value
    ]
    if args.kind == "loss" and given:
        raise ValueError(
            f"--kind loss draws the training curves saved in the model; it takes no "
            f"{' or '.join(given)}"
        )
    if args.data is None and (args.kind in DRAWS or given):
        raise ValueError(
            f"--kind {args.kind} needs --data DATA.csv"
            if args.kind in DRAWS
            else f"{' and '.join(given)} go with --data DATA.csv"
        )
    if args.kind == "boundary" and model.net.input_dim != 2:
        raise ValueError(
            f"--kind boundary draws the plane of two features; {args.model} has "
            f"{model.net.input_dim} (--kind network and --kind loss draw any model)"
        )
    if args.kind in DRAWS and model.task not in (None, DRAWS[args.kind][0]):
        other = next(kind for kind in DRAWS if kind != args.kind)
        (_, who, what), (_, other_who, other_what) = DRAWS[args.kind], DRAWS[other]
        raise ValueError(
            f"--kind {args.kind} draws {who}'s {what}; {args.model} is {other_who} "
            f"(--kind {other} draws its {other_what})"
        )


def _draw(args, model, X, y):
    from .. import plot  # only now: the errors before need no matplotlib

    names = model.feature_names
    if args.kind == "loss":
        plot.loss_curve(model.net.history, path=args.output)
    elif args.kind == "boundary":
        plot.decision_boundary(
            model.net,
            X,
            y,
            feature_names=names or ("x0", "x1"),
            path=args.output,
            class_names=model.classes,
        )
    elif args.kind == "regression":
        plot.regression(
            model.net, X, y, feature_names=names, path=args.output, target_name=model.target
        )
    else:
        plot.network_diagram(model.net, X, feature_names=names, path=args.output)
