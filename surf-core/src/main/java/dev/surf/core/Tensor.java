package dev.surf.core;

/**
 * A dense, contiguous, row-major array owned by a {@link Backend}.
 *
 * <p>Lifetimes are explicit: the tensor that allocated its storage frees it in {@link #close()}.
 * Views ({@link #view}, {@link #slice}) share the storage without owning it; closing a view does
 * nothing to the memory, and using a view after its owner was closed fails with an
 * {@link IllegalStateException} rather than reading freed memory. Tensors are not synchronised:
 * share them across threads only read-only.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final DType dtype;
    private final Shape shape;
    private final Storage storage;
    private final long byteOffset;
    private final boolean owner;
    private boolean closed;

    /** For backends: wraps storage that this tensor will own (or not, for views and borrowed memory). */
    public Tensor(Backend backend, DType dtype, Shape shape, Storage storage, long byteOffset, boolean owner) {
        long need = shape.numel() * dtype.byteSize();
        if (byteOffset < 0 || byteOffset + need > storage.byteSize()) {
            throw new IllegalArgumentException("tensor " + dtype + shape + " at byte offset " + byteOffset
                    + " does not fit a storage of " + storage.byteSize() + " bytes");
        }
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape;
        this.storage = storage;
        this.byteOffset = byteOffset;
        this.owner = owner;
    }

    public Backend backend() {
        return backend;
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    /** Size of dimension i (negative counts from the end). */
    public int dim(int i) {
        return shape.dim(i);
    }

    public int rank() {
        return shape.rank();
    }

    public long numel() {
        return shape.numel();
    }

    public long byteSize() {
        return shape.numel() * dtype.byteSize();
    }

    /** The backend storage; checked to be alive. */
    public Storage storage() {
        if (closed && owner) {
            throw new IllegalStateException("tensor " + this + " used after close()");
        }
        if (storage.isReleased()) {
            throw new IllegalStateException("tensor " + this + " used after its storage was released");
        }
        return storage;
    }

    public long byteOffset() {
        return byteOffset;
    }

    public boolean isOwner() {
        return owner;
    }

    /** A non-owning view with another shape of the same element count. */
    public Tensor view(Shape newShape) {
        if (newShape.numel() != shape.numel()) {
            throw new IllegalArgumentException("cannot view " + shape + " as " + newShape + ": element counts differ");
        }
        return new Tensor(backend, dtype, newShape, storage(), byteOffset, false);
    }

    public Tensor view(int... dims) {
        return view(Shape.of(dims));
    }

    /**
     * The same storage under another shape, taking over ownership: this tensor becomes a closed handle
     * (using it afterwards fails) and the returned one frees the memory when closed. For a view the
     * result is again a view.
     */
    public Tensor reshape(Shape newShape) {
        if (newShape.numel() != shape.numel()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape + ": element counts differ");
        }
        Tensor t = new Tensor(backend, dtype, newShape, storage(), byteOffset, owner);
        closed = true;
        return t;
    }

    public Tensor reshape(int... dims) {
        return reshape(Shape.of(dims));
    }

    /** A non-owning view of rows [from, to) along dimension 0. */
    public Tensor slice(int from, int to) {
        if (shape.rank() == 0 || from < 0 || to > shape.dim(0) || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of a tensor of shape " + shape);
        }
        long rowBytes = shape.size(1, shape.rank()) * dtype.byteSize();
        return new Tensor(backend, dtype, shape.with(0, to - from), storage(), byteOffset + from * rowBytes, false);
    }

    /** Frees the storage if this tensor owns it. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owner) {
                storage.release();
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return dtype + shape.toString() + "@" + backend.name();
    }
}
