"""SmallNetClassifier: scikit-learn's MLPClassifier interface over a smallnet network."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels

from .. import losses, samples
from .base import SmallNetBase, stochastic_solver
from .parameters import DOC_TEMPLATE, class_weight_indices


class SmallNetClassifier(ClassifierMixin, SmallNetBase):
    __doc__ = DOC_TEMPLATE.format(
        kind="classifier",
        mlp="MLPClassifier",
        score="accuracy",
        summary=(
            "Binary targets get one sigmoid output and binary cross-entropy; several classes a\n"
            "    softmax output and categorical cross-entropy; multi-label indicator targets one\n"
            "    sigmoid per label."
        ),
        parameters=(
            "    class_weight : None, 'balanced' or dict of class label to weight, default=None\n"
            "        Weigh each sample by its class's weight (times its sample_weight):\n"
            "        'balanced' gives class c ``n_samples / (n_classes * count_c)``, as elsewhere\n"
            "        in scikit-learn; a dict's keys are the labels of y, and classes left out\n"
            "        weigh 1. Not for multi-label targets; partial_fit takes a dict only.\n"
        ),
        attributes=(
            "    classes_ : ndarray\n"
            "        The class labels (for multi-label targets, the column indices).\n"
        ),
        out_activation=(
            "'softmax' for several classes, 'logistic' for two, and for multi-label targets"
        ),
    )

    _score_metric = "accuracy"

    # MLPClassifier's parameters (SmallNetBase's), and class_weight.
    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=None,
        batch_norm=False,
        callbacks=None,
        engine="auto",
        class_weight=None,
    ):
        shared = {
            name: value
            for name, value in locals().items()
            if name not in ("self", "__class__", "class_weight")
        }
        super().__init__(**shared)
        self.class_weight = class_weight

    def _output_activation(self, n_outputs):
        return "sigmoid" if n_outputs == 1 or self._multilabel else "softmax"

    def _loss(self, n_outputs):
        if n_outputs == 1 or self._multilabel:
            return "binary_crossentropy"
        return "categorical_crossentropy"

    def _encode_targets(self, y, keep, incremental, classes):
        """`y` as the network's targets (one-hot, or 0/1 columns); a new fit takes its classes
        from here."""
        check_classification_targets(y)
        multilabel = type_of_target(y).startswith("multilabel")
        given = classes
        if classes is not None:
            classes = unique_labels(classes)
            if keep and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"`classes={given!r}` is not the same as on last call to partial_fit, "
                    f"was: {self.classes_}"
                )
        if keep:
            binarizer = self._label_binarizer
        elif not incremental:
            binarizer = LabelBinarizer().fit(y)
        elif classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        else:  # as scikit-learn's MLP: an indicator matrix's columns are its classes
            binarizer = LabelBinarizer().fit(y if multilabel else classes)
            if multilabel and not np.array_equal(classes, binarizer.classes_):
                raise ValueError(
                    f"classes must be the {len(binarizer.classes_)} columns of the multi-label y, "
                    f"{binarizer.classes_}, got {given!r}"
                )
        labels = unique_labels(y)
        unknown = labels[~np.isin(labels, binarizer.classes_)]
        if len(unknown):  # the binarizer would encode them as another class, or as no class at all
            raise ValueError(
                f"`y` has classes not in `self.classes_`: {unknown}; `self.classes_` has "
                f"{binarizer.classes_}"
            )
        if not keep:
            self._label_binarizer, self.classes_ = binarizer, binarizer.classes_
            self._multilabel = binarizer.y_type_.startswith("multilabel")
        return binarizer.transform(y)

    def _class_sample_weight(self, Y, sample_weight):
        """`sample_weight` (None or checked) times the weight of each row's class."""
        if self.class_weight is None:
            return sample_weight
        if self._multilabel:
            raise ValueError(
                "class_weight needs one class per sample, but y is a multi-label indicator "
                "matrix; weigh the samples with sample_weight"
            )
        class_weight = self.class_weight
        if isinstance(class_weight, dict):  # the user's labels as the network's class indices
            class_weight = class_weight_indices(class_weight, self.classes_)
        loss = losses.get(self._loss(Y.shape[1]))
        return samples.class_sample_weight(Y, class_weight, loss, sample_weight, dtype=Y.dtype)

    def fit(self, X, y, sample_weight=None):
        """Train for up to `max_iter` epochs (L-BFGS iterations for solver='lbfgs'), from the
        fitted weights if `warm_start`.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            A sparse matrix is densified: fit trains on the dense array.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multi-label indicator matrix.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(stochastic_solver)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), from the fitted weights (and optimizer state, while its
        settings stay). Only for the stochastic solvers ('sgd', 'adam').

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            A sparse matrix is densified, only the rows of this call.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multi-label indicator matrix.
        classes : array-like, optional
            Every label of all calls; required on the first call (for an indicator matrix, its
            column indices), and if given later, the same as before. y may hold only some of them.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: each call would "
                "weigh the classes by its own counts; compute the weights once, with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=classes, "
                "y=y) on enough of the training labels, and give them as a dict"
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X):
        """Predicted labels, shape (n_samples,) (or (n_samples, n_labels) for multi-label)."""
        out = self._forward(X)
        return self._label_binarizer.inverse_transform(out.ravel() if out.shape[1] == 1 else out)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes); for multi-label, each label's
        probability."""
        out = self._forward(X)
        return np.hstack([1 - out, out]) if out.shape[1] == 1 and not self._multilabel else out

    def predict_log_proba(self, X):
        """The logarithm of predict_proba (-inf where a probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
