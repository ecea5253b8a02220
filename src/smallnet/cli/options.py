"""The `train` options that argparse can't check alone: those that go together (L-BFGS's,
--dropout's with --hidden, early stopping's), the defaults that depend on the table (--val-split),
the loss for the task, and what a model records of them, which --resume compares."""

from .. import load
from ..activations import ACTIVATIONS
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from ..samples import held_out_count
from .common import count, show

DEFAULT_LR = 0.005  # every optimizer but lbfgs, which has none
DEFAULT_BATCH_SIZE = 64
DEFAULT_VAL_SPLIT = 0.1  # held out for early stopping, where the table has enough rows
MIN_ROWS_TO_VALIDATE = 20  # fewer: every row trains (a validation row or two says little)
DEFAULT_PATIENCE = 20
FULL_BATCH = "lbfgs"  # the optimizer that trains on all rows at once, through scipy
REGRESSION_LOSSES = ("mse", "sse", "huber", "mae")
CLASSIFICATION_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "mse", "sse")
CLASS_LOSSES = ("binary_crossentropy (2 classes) or categorical_crossentropy (3 or more), the "
                "defaults, or mse or sse")  # fmt: skip


def full_batch(args):
    """Whether --optimizer is L-BFGS, which takes all training rows at once."""
    return args.optimizer.lower() == FULL_BATCH


def check_options(args):
    """Refuse unknown names and options that don't go together, before any data is read; then
    fill in the defaults that depend on --optimizer (--lr, --batch-size: None for lbfgs)."""
    for option, name, table in (
        ("activation", args.activation, ACTIVATIONS),
        ("optimizer", args.optimizer, OPTIMIZERS),
        ("loss", args.loss, LOSSES),
    ):
        if name is not None and name.lower() not in table:
            raise ValueError(
                f"unknown {option} {name!r}; valid names are: {', '.join(sorted(table))}"
            )
    if args.activation.lower() == "softmax":  # as the estimators refuse it too
        raise ValueError(
            "--activation softmax is an output's activation (each layer's units would sum to "
            "1); choose another for the hidden layers"
        )
    _check_layer_options(args)
    _check_stopping_options(args)
    if full_batch(args):
        _check_full_batch(args)
        return
    args.lr = DEFAULT_LR if args.lr is None else args.lr
    args.batch_size = DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size


def _check_layer_options(args):
    """--dropout and --batch-norm need hidden layers; --dropout one rate, or one per layer."""
    hidden = len(args.hidden)
    layers = (
        ("--dropout", args.dropout, "Dropout"),
        ("--batch-norm", args.batch_norm, "BatchNorm"),
    )
    for option, given, layer in layers:
        if given and not hidden:
            raise ValueError(
                f"{option} puts a {layer} after each hidden layer, and --hidden none has none"
            )
    if args.dropout and len(args.dropout) not in (1, hidden):
        raise ValueError(
            f"--dropout {rates_text(args.dropout, collapse=False)} gives "
            f"{count(len(args.dropout), 'rate')} for {count(hidden, 'hidden layer')} "
            f"(--hidden {','.join(map(str, args.hidden))}); give one rate for all, or one per "
            f"hidden layer"
        )


def _check_stopping_options(args):
    """--patience needs early stopping: not --no-early-stopping, nor --val-split 0."""
    if args.patience is None:
        return
    if args.no_early_stopping:
        raise ValueError(
            "--patience N is early stopping's, and --no-early-stopping turns it off; give one of "
            "them"
        )
    if args.val_split == 0:
        raise ValueError(
            "--patience needs a validation split, and --val-split 0 holds out none; give "
            f"--val-split {DEFAULT_VAL_SPLIT:g}, say, or leave --patience out"
        )


def settle_stopping(args, n_rows):
    """Fill in --val-split's default for a table of `n_rows` rows and --patience's, and set
    `args.early_stopping`: whether early stopping watches the validation rows' val_loss.

    --val-split defaults to `DEFAULT_VAL_SPLIT` where early stopping can use it: with
    `MIN_ROWS_TO_VALIDATE` rows or more left after --test-split, and not with --optimizer
    lbfgs (--no-early-stopping keeps it, for the val_ metrics); else to 0.
    `args.default_val_split` says that neither --val-split nor --patience was given. An
    explicit --patience without a validation split is refused.
    """
    left = n_rows - held_out_count(n_rows, args.test_split)
    args.default_val_split = args.val_split is None and args.patience is None
    if args.val_split is None:
        wanted = not full_batch(args) and left >= MIN_ROWS_TO_VALIDATE
        args.val_split = DEFAULT_VAL_SPLIT if wanted else 0.0
        if args.patience is not None and not args.val_split:
            raise ValueError(
                f"--patience needs a validation split, and with {count(left, 'row')} to train on "
                f"(under {MIN_ROWS_TO_VALIDATE}) --val-split defaults to 0; give --val-split, or "
                f"leave --patience out"
            )
    args.early_stopping = bool(args.val_split) and not (args.no_early_stopping or full_batch(args))
    if args.early_stopping and args.patience is None:
        args.patience = DEFAULT_PATIENCE


def stopping_record(args):
    """What a model records of its early stopping (`settle_stopping`'s): {"monitor": "val_loss",
    "patience": N}, or None where it trained without."""
    return {"monitor": "val_loss", "patience": args.patience} if args.early_stopping else None


def _check_full_batch(args):
    """Refuse what full-batch L-BFGS can't do, naming the option; scipy must be there."""
    from ..lbfgs import minimizer

    no_checkpoints = "scipy's L-BFGS-B keeps its state to itself, so there is no checkpoint"
    refused = (
        ("--lr", args.lr is not None, "it has no learning rate (its line search sets each step)"),
        ("--batch-size", args.batch_size is not None, "it trains on all the rows at once"),
        ("--checkpoint", args.checkpoint is not None, no_checkpoints),
        ("--resume", args.resume is not None, no_checkpoints),
        (
            "--patience",
            args.patience is not None,
            "it trains without early stopping (it stops once converged)",
        ),
        (
            "--dropout",
            any(args.dropout or ()),  # --dropout 0 puts no Dropout layer
            "it needs the same objective at every evaluation, and dropout draws new masks",
        ),
    )
    for option, given, reason in refused:
        if given:
            raise ValueError(
                f"{option} doesn't go with --optimizer lbfgs: {reason}; leave {option} out, "
                f"or train with another --optimizer"
            )
    minimizer()  # scipy missing: said now, not after the data is read


def check_loss(loss, task, n_classes=None):
    """Refuse a --loss that the task's outputs can't train on, in the command line's words."""
    if loss is None:
        return
    name = loss.lower()
    if name == "sparse_categorical_crossentropy":
        raise ValueError(
            "--loss sparse_categorical_crossentropy takes class indices, and train gives the "
            "network one-hot rows (one 0/1 column for two classes); on those it is "
            "categorical_crossentropy, the default for 3 or more classes"
        )
    if task == "regression" and name not in REGRESSION_LOSSES:
        raise ValueError(
            f"--loss {name} is for classification; a regression takes mse (the default), sse, "
            f"huber or mae"
        )
    if task == "classification" and name not in CLASSIFICATION_LOSSES:
        raise ValueError(f"--loss {name} is for regression; classes take {CLASS_LOSSES}")
    if task == "classification" and name == "categorical_crossentropy" and n_classes == 2:
        raise ValueError(
            "--loss categorical_crossentropy needs 3 or more classes (one softmax output "
            "each); 2 classes get one sigmoid output and binary_crossentropy (the default)"
        )


def rates_text(rates, collapse=True):
    """Dropout rates as --dropout takes them: "0.2,0.1"; all alike (`collapse`): "0.2"; none or
    all 0: "0"."""
    if not any(rates):
        return "0"
    if collapse and len(set(rates)) == 1:
        return f"{rates[0]:g}"
    return ",".join(f"{rate:g}" for rate in rates)


# -- what a model records of them: --resume ----------------------------------------------------


def check_resume(args, net):
    """Epochs the --resume checkpoint has done; options that differ from its own are refused,
    not mixed in."""
    saved = load(args.resume)
    if not isinstance(saved.metadata, dict) or "task" not in saved.metadata:
        raise ValueError(f"{args.resume}: not a checkpoint written by smallnet train")
    ours = train_options(net.config(), net.metadata)
    theirs = train_options(saved.config(), saved.metadata)
    for option, value in ours.items():
        # None: an older checkpoint doesn't say
        if theirs[option] is None or theirs[option] == value:
            continue
        if isinstance(value, bool):  # a flag: given or not
            written = f"{'with' if theirs[option] else 'without'} {option}"
        else:
            written = (
                f"with {option} {show(theirs[option]) or '(none)'}, not {show(value) or '(none)'}"
            )
        raise ValueError(
            f"{args.resume}: the checkpoint was written {written}; resume with the options it "
            f"was written with"
        )
    done = len(saved.history.epoch) if saved.history is not None else 0
    if done > args.epochs:
        raise ValueError(
            f"{args.resume}: the checkpoint has already trained {count(done, 'epoch')}, more "
            f"than --epochs {args.epochs}; give --epochs above {done} to train on"
        )
    return done


def hidden_blocks(layers):
    """The hidden layers of a network's config `layers`: (Dense config, configs of the layers
    after it up to the next Dense) for each Dense but the output one."""
    blocks = []
    for layer in layers:
        if layer["type"] == "Dense":
            blocks.append((layer, []))
        elif blocks:  # not the Standardize in front
            blocks[-1][1].append(layer)
    return blocks[:-1]


def train_options(config, metadata):
    """{option: value} of the `train` options a network's config and metadata record (None:
    not recorded)."""
    blocks = hidden_blocks(config["layers"])
    loss = config["loss"]
    stopping = metadata.get("early_stopping")
    hidden = [dense for dense, _ in blocks]
    rates = [
        next((layer["rate"] for layer in after if layer["type"] == "Dropout"), 0.0)
        for _, after in blocks
    ]
    return {
        "--task": metadata.get("task"),
        "--ignore": metadata.get("ignored") or [],
        "--hidden": ",".join(str(layer.get("units")) for layer in hidden),
        "--activation": hidden[0].get("activation", {}).get("name") if hidden else None,
        "--dropout": rates_text(rates),
        "--batch-norm": any(layer["type"] == "BatchNorm" for _, after in blocks for layer in after),
        "--loss": loss["name"] if isinstance(loss, dict) else loss,  # huber: {name, delta}
        "--optimizer": config["optimizer"]["name"],
        "--lr": config["optimizer"].get("learning_rate"),  # lbfgs has none
        "--seed": config["seed"],
        "--batch-size": metadata.get("batch_size"),
        "--test-split": metadata.get("test_split"),
        "--val-split": metadata.get("val_split"),
        # None: an older checkpoint, trained before early stopping was there
        "--no-early-stopping": stopping is None if "early_stopping" in metadata else None,
        "--patience": stopping.get("patience") if isinstance(stopping, dict) else None,
    }
