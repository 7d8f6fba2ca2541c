"""Short SIMD vectors for the CPU product kernels, as Numba intrinsics.

Numba vectorises loops but cannot keep a block of a matrix product's outputs
in registers across the inner dimension: an output tile written with scalar
accumulators stayed scalar (5-10x slower), and one in memory is bound by its
loads and stores. These intrinsics give the kernels a vector value of one
register's width (32 bytes, 8 float32 or 4 float64 lanes; 64 bytes where the
machine has AVX-512) that lives in a register, so a product keeps a tile of
four rows by two vectors of outputs in eight registers while it runs over the
inner dimension (see :mod:`._products` for what that gains against BLAS).
LLVM lowers the vectors to whatever the machine has
(two SSE registers each where there is no AVX).

Every lane of :func:`fma` computes ``a * b + c`` as its scalar form does, so a
product's elements come out the same whether they were computed in a vector,
in a tile of several rows, or one by one.
"""

import operator

from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.core.codegen import get_host_cpu_features
from numba.core.errors import TypingError
from numba.extending import intrinsic, models, overload, register_model


def _register_bytes():
    # The widest vector register of the machine Numba compiles for (NUMBA_CPU_NAME and
    # NUMBA_CPU_FEATURES respected): AVX-512's 64 bytes (a block's products 1.3x faster
    # than with 32, an LSTM epoch 10-15%, on an AVX-512 Xeon), else AVX's 32 (wider
    # vectors there would take two registers each and spill the tiles).
    if config.CPU_FEATURES is not None:
        features = config.CPU_FEATURES
    elif config.CPU_NAME not in (None, "host"):
        features = ""  # a named CPU (e.g. "generic" for a portable cache): its own default
    else:
        features = get_host_cpu_features()
    return 64 if "+avx512f" in features.split(",") else 32


#: Bytes in one vector of the cells' unit loops and of one row's product (AVX's width).
#: Not wider: with 16 lanes, hidden sizes below 16 left units to scalar code that LLVM
#: vectorised differently in the batch and the single-row kernels (a prediction then
#: changed with its batch), and one row's activations read its product's 64-byte
#: stores back slowly (batch-1 prediction 15% slower).
VECTOR_BYTES = 32

#: Bytes in one vector of the products' tiles (the ``tile_`` intrinsics): the machine's
#: register width (see ``_register_bytes``). Their scalar tails use :func:`fma` only.
TILE_BYTES = _register_bytes()


class Vector(types.Type):
    """Numba type of a vector of ``nbytes`` bytes of one float type."""

    def __init__(self, dtype, nbytes=VECTOR_BYTES):
        self.dtype = dtype
        self.nbytes = nbytes
        self.lanes = nbytes * 8 // dtype.bitwidth
        super().__init__(name=f"Vector({dtype} x {self.lanes})")


@register_model(Vector)
class _VectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.lanes))


def _float(ty, what, nbytes=VECTOR_BYTES):
    if not isinstance(ty, types.Float):
        raise TypingError(f"{what} needs float32 or float64, got {ty}")
    return Vector(ty, nbytes)


def _contiguous(arr, indices, what, nbytes=VECTOR_BYTES):
    # Vectors run along the last axis, which must be contiguous.
    if not (isinstance(arr, types.Array) and arr.layout == "C" and arr.ndim == len(indices)
            and all(isinstance(i, types.Integer) for i in indices)):
        raise TypingError(f"{what} needs a C-contiguous array and one integer index per axis, "
                          f"got {arr} and {indices}")
    return _float(arr.dtype, what, nbytes)


def _pointer(context, builder, arrty, arr, indices, vecty):
    # No wraparound or bounds check: the kernels index from known-good loops. A debug run
    # (NUMBA_BOUNDSCHECK=1, on an empty cache) checks the element, and a vector's last lane,
    # as Numba checks an index (IndexError), so its tests prove the loops good.
    a = context.make_array(arrty)(context, builder, arr)
    shape = cgutils.unpack_tuple(builder, a.shape)
    strides = cgutils.unpack_tuple(builder, a.strides)
    if config.BOUNDSCHECK:
        ends = [list(indices)]
        if vecty is not None:
            last = indices[-1]
            ends.append([*indices[:-1], builder.add(last, ir.Constant(last.type,
                                                                      vecty.count - 1))])
        for at in ends:
            cgutils.get_item_pointer2(context, builder, a.data, shape, strides, arrty.layout,
                                      at, wraparound=False, boundscheck=True)
    ptr = cgutils.get_item_pointer2(context, builder, a.data, shape, strides, arrty.layout,
                                    indices, wraparound=False, boundscheck=False)
    return ptr if vecty is None else builder.bitcast(ptr, vecty.as_pointer())


def _broadcast(builder, value, llty):
    # ``value`` in every lane of a vector of LLVM type ``llty``.
    one = builder.insert_element(ir.Constant(llty, ir.Undefined), value,
                                 ir.Constant(ir.IntType(32), 0))
    mask = ir.Constant(ir.VectorType(ir.IntType(32), llty.count), [0] * llty.count)
    return builder.shuffle_vector(one, ir.Constant(llty, ir.Undefined), mask)


def _sized(nbytes):
    # The intrinsics that make vectors of ``nbytes`` bytes from arrays or scalars (the
    # rest take the width from the vectors they are given).
    @intrinsic
    def lanes(typingctx, arr):
        """Elements of ``arr``'s dtype in one vector (a compile-time constant)."""
        n = _float(arr.dtype, "lanes", nbytes).lanes

        def codegen(context, builder, sig, args):
            return context.get_constant(types.intp, n)

        return types.intp(arr), codegen

    @intrinsic
    def zeros(typingctx, arr):
        """A vector of zeros of ``arr``'s dtype."""
        vt = _float(arr.dtype, "zeros", nbytes)

        def codegen(context, builder, sig, args):
            return ir.Constant(context.get_value_type(vt), [0.0] * vt.lanes)

        return vt(arr), codegen

    @intrinsic
    def load(typingctx, arr, *indices):
        """``lanes`` elements of ``arr`` from ``arr[indices]`` on along the last axis
        (``arr`` C-contiguous; no wraparound or bounds check)."""
        vt = _contiguous(arr, indices, "load", nbytes)
        return vt(arr, types.StarArgTuple.from_types(indices)), _read(0, vt)

    @intrinsic
    def splat(typingctx, x):
        """A vector with ``x`` in every lane."""
        vt = _float(x, "splat", nbytes)

        def codegen(context, builder, sig, args):
            return _broadcast(builder, args[0], context.get_value_type(vt))

        return vt(x), codegen

    return lanes, zeros, load, splat


lanes, zeros, load, splat = _sized(VECTOR_BYTES)
tile_lanes, tile_zeros, tile_load, tile_splat = _sized(TILE_BYTES)


@intrinsic
def zero(typingctx, arr):
    """Scalar zero of ``arr``'s dtype."""
    ty = _float(arr.dtype, "zero").dtype

    def codegen(context, builder, sig, args):
        return context.get_constant(ty, 0.0)

    return ty(arr), codegen


def _read(at, out):
    # Codegen of a load of ``out`` (a vector or one element) from the array in argument
    # ``at``, indexed by the tuple after it.
    def codegen(context, builder, sig, args):
        idx = cgutils.unpack_tuple(builder, args[at + 1])
        llty = context.get_value_type(out) if isinstance(out, Vector) else None
        ptr = _pointer(context, builder, sig.args[at], args[at], idx, llty)
        return builder.load(ptr, align=sig.args[at].dtype.bitwidth // 8)

    return codegen


@intrinsic
def store(typingctx, arr, *args):
    """``store(arr, *indices, v)``: the inverse of :func:`load` for a vector ``v``, of
    :func:`item` for one element."""
    *indices, v = args
    vt = _contiguous(arr, indices, "store")
    if not (v == vt.dtype or (isinstance(v, Vector) and v.dtype == vt.dtype)):
        raise TypingError(f"store of {v} into an array of {arr.dtype}")

    def codegen(context, builder, sig, args):
        *idx, value = cgutils.unpack_tuple(builder, args[1])
        llty = value.type if isinstance(v, Vector) else None
        ptr = _pointer(context, builder, sig.args[0], args[0], idx, llty)
        builder.store(value, ptr, align=vt.dtype.bitwidth // 8)
        return context.get_dummy_value()

    return types.void(arr, types.StarArgTuple.from_types(args)), codegen


@intrinsic
def get(typingctx, like, arr, *indices):
    """``arr[indices]`` as :func:`load` reads it where ``like`` is a vector, else as one
    element (as :func:`item`): one loop body serves a loop's vectors and its tail
    (:func:`store` writes either back)."""
    vt = _contiguous(arr, indices, "get", like.nbytes if isinstance(like, Vector) else VECTOR_BYTES)
    out = vt if isinstance(like, Vector) else vt.dtype
    return out(like, arr, types.StarArgTuple.from_types(indices)), _read(1, out)


@intrinsic
def start(typingctx, like, out, bias, add, j):
    """What a product's output ``out[j]`` starts from, read as :func:`get` reads (a
    vector where ``like`` is one, else one element): ``out``'s own value when
    ``add``, else ``bias[j]``, else zero where ``bias`` is None.

    Chosen while compiling where ``add`` is a literal: the product holds no branch
    for it (as inlined Python, those branches took a quarter of its compile time).
    """
    vt = _contiguous(out, (j,), "start",
                     like.nbytes if isinstance(like, Vector) else VECTOR_BYTES)
    ty = vt if isinstance(like, Vector) else vt.dtype
    if not (bias is types.none or (isinstance(bias, types.Array) and bias.dtype == out.dtype)):
        raise TypingError(f"start needs a bias of {out.dtype} or None, got {bias}")
    if not isinstance(add, types.Boolean):
        raise TypingError(f"start needs a boolean add, got {add}")
    fixed = add.literal_value if isinstance(add, types.BooleanLiteral) else None

    def codegen(context, builder, sig, args):
        llty = context.get_value_type(ty)

        def read(at):
            ptr = _pointer(context, builder, sig.args[at], args[at], [args[4]],
                           llty if ty is vt else None)
            return builder.load(ptr, align=vt.dtype.bitwidth // 8)

        if fixed is not True:
            other = (read(2) if bias is not types.none
                     else ir.Constant(llty, [0.0] * vt.lanes if ty is vt else 0.0))
            if fixed is False:
                return other
        own = read(1)
        return own if fixed else builder.select(args[3], own, other)

    return ty(like, out, bias, add, j), codegen


@intrinsic
def where_positive(typingctx, a, b):
    """``b`` in the lanes where ``a > 0``, else 0 (NaN in ``a`` gives 0)."""
    if not (isinstance(a, Vector) and a == b):
        raise TypingError(f"where_positive needs two vectors of one type, got {a} and {b}")

    def codegen(context, builder, sig, args):
        x, y = args
        zero = ir.Constant(x.type, [0.0] * a.lanes)
        return builder.select(builder.fcmp_ordered(">", x, zero), y, zero)

    return a(a, b), codegen


@intrinsic
def item(typingctx, arr, *indices):
    """``arr[indices]`` without wraparound or bounds check: a loop from an
    unknown start index otherwise pays for the negative-index test in its body."""
    _contiguous(arr, indices, "item")
    return arr.dtype(arr, types.StarArgTuple.from_types(indices)), _read(0, arr.dtype)


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` for vectors or scalars of one type, fused where the machine can.

    LLVM's ``fmuladd``: one rounding on machines with FMA, two elsewhere, the
    same for a scalar as for each lane of a vector.
    """
    if not (a == b == c and isinstance(a, (Vector, types.Float))):
        raise TypingError(f"fma needs three vectors or floats of one type, got {a}, {b}, {c}")
    if isinstance(a, Vector):
        name = f"llvm.fmuladd.v{a.lanes}f{a.dtype.bitwidth}"
    else:
        name = f"llvm.fmuladd.f{a.bitwidth}"

    def codegen(context, builder, sig, args):
        llty = args[0].type
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(llty, [llty] * 3),
                                            name)
        return builder.call(fn, args)

    return a(a, b, c), codegen


def _binary(opname, method):
    # An intrinsic for one arithmetic operator on two vectors of one type, and
    # its overload for vector-vector, vector-scalar and scalar-vector operands.
    @intrinsic
    def vector_op(typingctx, a, b):
        if not (isinstance(a, Vector) and a == b):
            raise TypingError(f"{opname} needs two vectors of one type, got {a} and {b}")

        def codegen(context, builder, sig, args):
            # Multiply-adds may fuse; no other fast-math liberty (the others slowed
            # the activations).
            return getattr(builder, method)(args[0], args[1], flags=("contract",))

        return a(a, b), codegen

    def typer(a, b):
        if isinstance(a, Vector) and a == b:
            return lambda a, b: vector_op(a, b)
        if isinstance(a, Vector) and b == a.dtype:
            return lambda a, b: vector_op(a, splat(b))
        if isinstance(b, Vector) and a == b.dtype:
            return lambda a, b: vector_op(splat(a), b)
        return None

    overload(getattr(operator, opname))(typer)
    return vector_op


add = _binary("add", "fadd")
sub = _binary("sub", "fsub")
mul = _binary("mul", "fmul")
div = _binary("truediv", "fdiv")


@intrinsic
def clamp(typingctx, v, lo, hi):
    """``v`` limited to ``[lo, hi]`` lane by lane (scalar bounds; NaN stays NaN)."""
    if not (isinstance(v, Vector) and lo == hi == v.dtype):
        raise TypingError(f"clamp needs a vector and two bounds of its type, got {v}, {lo}, {hi}")

    def codegen(context, builder, sig, args):
        x, low, high = args
        low, high = _broadcast(builder, low, x.type), _broadcast(builder, high, x.type)
        x = builder.select(builder.fcmp_ordered(">", x, high), high, x)
        return builder.select(builder.fcmp_ordered("<", x, low), low, x)

    return v(v, lo, hi), codegen


@intrinsic
def vector_lanes(typingctx, v):
    """Number of lanes of vector ``v`` (a compile-time constant)."""
    if not isinstance(v, Vector):
        raise TypingError(f"vector_lanes needs a vector, got {v}")

    def codegen(context, builder, sig, args):
        return context.get_constant(types.intp, v.lanes)

    return types.intp(v), codegen


@intrinsic
def lane(typingctx, v, i):
    """Element ``i`` of vector ``v``."""
    if not isinstance(v, Vector):
        raise TypingError(f"lane needs a vector, got {v}")

    def codegen(context, builder, sig, args):
        return builder.extract_element(args[0], args[1])

    return v.dtype(v, types.intp), codegen


@intrinsic
def with_lane(typingctx, v, i, x):
    """``v`` with element ``i`` replaced by ``x``."""
    if not (isinstance(v, Vector) and x == v.dtype):
        raise TypingError(f"with_lane needs a vector and a value of its type, got {v} and {x}")

    def codegen(context, builder, sig, args):
        return builder.insert_element(args[0], args[2], args[1])

    return v(v, types.intp, x), codegen
