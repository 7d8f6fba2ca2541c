"""Parameter documentation shared by the estimators (written once, used twice)."""

COMMON_PARAMETERS = """
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell: SimpleRNN (Elman), LSTM or GRU.
    hidden_size : int, default=32
        Units per direction of each recurrent layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    activation : {"tanh", "relu"}, default="tanh"
        Activation of the SimpleRNN cell (ignored by LSTM and GRU).
    reset_after : bool, default=True
        GRU variant: reset gate applied after the recurrent product (PyTorch's
        and cuDNN's) or before it (the classic GRU).
    bidirectional : bool, default=False
        Read each sequence forwards and backwards, with separate weights.
    merge_mode : {"concat", "sum", "ave", "mul", "max"}, default="concat"
        How a bidirectional layer combines its two directions.
    optimizer : {"adam", "rmsprop", "sgd"}, default="adam"
    learning_rate : float, default=0.005
    batch_size : int, default=32
    max_epochs : int, default=50
        Passes over the training data in ``fit``.
    steps_per_epoch : int or None, default=None
        Mini-batches per epoch of ``fit``, their samples drawn at random (with
        replacement) from the training samples afresh each epoch; early
        stopping then validates on one fixed random sample of as many held-out
        samples. None: an epoch is one pass over every training sample. For
        training sets too large to pass over many times (a global model over
        thousands of series).
    shuffle : bool, default=True
        Shuffle the samples before each epoch (``fit`` and ``partial_fit``).
    clip_value : float or None, default=None
        Clip each gradient element to [-clip_value, clip_value].
    clip_norm : float or None, default=1.0
        Rescale the gradient to this global L2 norm when it is larger.
    tbptt_steps : int or None, default=None
        Truncated backpropagation through time: gradients flow back at most
        this many steps (None: through the whole sequence).
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the samples (in the order
        given: the most recent windows of a series) and stop when the
        validation loss has not improved for ``patience`` epochs; the best
        weights are restored.
    validation_fraction : float, default=0.1
    patience : int, default=10
    stateful : bool, default=False
        Carry the hidden state from one ``predict`` call to the next, for
        consecutive chunks of the same sequences; ``reset_state()`` clears it.
    dtype : {"float32", "float64"}, default="float32"
    device : {"cpu", "cuda", "auto"}, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seed of the initial weights, the shuffling and the validation split.
        A fixed seed gives bit-identical weights on the same machine.
    verbose : int, default=0
        ``1`` prints one line per epoch: loss, validation loss, seconds.
"""

COMMON_ATTRIBUTES = """
    model_ : SequenceModel or EncoderDecoder
        The trained network (``model_.theta`` holds every weight).
    n_features_in_ : int
        Columns of a 2-D ``X`` (its time steps), or features per step of a 3-D ``X``.
    feature_names_in_ : ndarray of str
        Column names, when a DataFrame was given.
    input_ndim_ : int
        Dimensions of the ``X`` seen in ``fit`` (2 or 3); ``predict`` takes the same.
    n_epochs_ : int
        Epochs run by the last ``fit`` (``n_iter_`` is the same number).
    loss_curve_ : list of float
        Training loss of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch, with ``early_stopping``.
    t_ : int
        Optimizer steps taken since the model was built.
"""
