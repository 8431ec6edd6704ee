package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The device side of one CUDA backend: its context, stream, caching allocator, kernel modules (and their
 * constants), host transfers and int tables, and the primitives the op classes build on: tensor
 * addresses, allocation (poisoned on request), device copies and fills, grid sizes, and kernel launches
 * (timed per kernel while profiling, followed by a synchronisation and an error check when asked). It
 * knows no op: which kernel runs, with what arguments, is the op classes' business (CudaGemm,
 * CudaAttention, ...), and the choice among kernels the choice functions' (GemmChoice, ...).
 *
 * <p>Tensors belong to a {@link Backend}, so the runtime is opened for its owning backend and stamps it
 * on every tensor it allocates; {@link #addr} refuses tensors of any other backend.
 */
final class CudaRuntime implements AutoCloseable {
    final CudaContext ctx;
    final CudaStream stream;
    final CudaModules modules;
    final CudaAllocator allocator;
    final CudaTransfer transfer;
    final DeviceTables tables;
    final DeviceCaps caps;
    private final Backend owner;
    private final Map<String, Integer> constants = new ConcurrentHashMap<>();
    private volatile boolean syncAfterLaunch;
    private volatile boolean poison;
    /** Per-kernel device times while profiling; null when off. */
    private volatile KernelProfile profile;
    private volatile boolean closed;

    /** Opens device {@code ordinal} for {@code owner}; IllegalStateException saying why when CUDA is unavailable. */
    CudaRuntime(Backend owner, int ordinal) {
        String why = CudaProbe.unavailableReason();
        if (why != null) {
            throw new IllegalStateException("CUDA backend unavailable: " + why);
        }
        this.owner = owner;
        this.ctx = CudaContext.open(ordinal);
        try {
            this.stream = new CudaStream();
        } catch (RuntimeException e) {
            ctx.close();  // do not leave the primary context retained by a backend that never existed
            throw e;
        }
        this.modules = new CudaModules();
        this.allocator = new CudaAllocator();
        this.transfer = new CudaTransfer(stream);
        this.tables = new DeviceTables(this);
        this.caps = DeviceCaps.of(ctx);
    }

    /** "cuda:ORDINAL DEVICE NAME". */
    String name() {
        return "cuda:" + ctx.ordinal + " " + ctx.deviceName;
    }

    /** Makes the context current on the calling thread; every public entry point calls this first. */
    void enter() {
        if (closed) {
            throw new IllegalStateException("CUDA backend " + name() + " is closed");
        }
        ctx.makeCurrent();
    }

    // ---------------------------------------------------------------- tensors and memory

    /** The device address of t's first element; t must belong to the owning backend. */
    long addr(Tensor t) {
        if (t.backend() != owner || !(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("tensor " + t + " does not belong to the CUDA backend " + name());
        }
        return s.address() + t.byteOffset();
    }

    /** addr(t), or 0 for null. */
    long addrOrNull(Tensor t) {
        return t == null ? 0 : addr(t);
    }

    /** t as a kernel choice sees it (dtype and address), or null for null. */
    Operand operand(Tensor t) {
        return t == null ? null : new Operand(t.dtype(), addr(t));
    }

    static DevicePointer pointer(Tensor t) {
        return ((CudaStorage) t.storage()).pointer();
    }

    /** A new tensor owned by the caller (poisoned when poisoning is on). */
    Tensor alloc(DType dtype, Shape shape) {
        long bytes = shape.numel() * dtype.byteSize();
        CudaStorage s = bytes == 0
                ? new CudaStorage(allocator, null, 0)
                : new CudaStorage(allocator, allocator.allocate(bytes), bytes);
        Tensor t = new Tensor(owner, dtype, shape, s, 0, true);
        if (poison && bytes > 0) {
            fill(t, (byte) 0xff);
        }
        return t;
    }

    /** Sets every byte of t to {@code value} (queued). */
    void fill(Tensor t, byte value) {
        if (t.byteSize() > 0) {
            Cu.check(cuMemsetD8Async(pointer(t).withByteOffset(t.byteOffset()), value, t.byteSize(), stream.stream),
                    "cuMemsetD8Async");
        }
    }

    /** Copies src's bytes into dst (queued; equal byte sizes). */
    void memcpy(Tensor src, Tensor dst) {
        if (src.byteSize() == 0) {
            return;
        }
        Cu.check(cuMemcpyDtoDAsync(pointer(dst).withByteOffset(dst.byteOffset()), pointer(src).withByteOffset(src.byteOffset()),
                src.byteSize(), stream.stream), "cuMemcpyDtoDAsync");
    }

    /** Copies host bytes into t (as many as t holds); returns when the host memory may be reused. */
    void upload(MemorySegment src, Tensor t) {
        if (t.byteSize() > 0) {
            transfer.upload(src, pointer(t), t.byteOffset());
        }
    }

    /** Copies t's bytes into dst (dst.byteSize() bytes), after the work queued before. */
    void download(Tensor t, MemorySegment dst) {
        if (t.byteSize() > 0) {
            addr(t);
            transfer.download(pointer(t), t.byteOffset(), dst);
        }
    }

    /** Bytes held by live tensors, cached free blocks, and the peak of the former. */
    long[] memoryStats() {
        return new long[] {allocator.liveBytes(), allocator.cachedBytes(), allocator.peakBytes()};
    }

    /** Device memory {free, total} in bytes, as the driver reports it. */
    long[] deviceMemory() {
        enter();
        long[] free = new long[1];
        long[] total = new long[1];
        Cu.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    /** Returns the allocator's cached blocks to the driver. */
    void releaseCachedMemory() {
        enter();
        stream.synchronize();
        allocator.releaseCache();
    }

    // ---------------------------------------------------------------- kernels

    CudaKernel kernel(String module, String function) {
        return modules.kernel(module, function);
    }

    /** An {@code extern "C" __constant__ int} of a module, read once. */
    int constant(String module, String symbol) {
        return constants.computeIfAbsent(module + "/" + symbol, k -> modules.constant(module, symbol));
    }

    /** Blocks for a grid-stride loop over n items: enough to fill the device, at least one. */
    int gridFor(long n, int threads) {
        long blocks = (n + threads - 1) / threads;
        return (int) Math.max(1, Math.min(blocks, (long) ctx.multiprocessors * 32));
    }

    /**
     * Queues a kernel. Arguments: Integer (int), Long (a long long or a device address), Float, or
     * byte[] (a struct by value, from {@link ParamStruct}).
     */
    void launch(CudaKernel k, int gridX, int gridY, int gridZ, int block, int dynamicSmem, Object... args) {
        if (dynamicSmem > CudaKernel.DEFAULT_DYNAMIC_SMEM) {
            if (dynamicSmem > ctx.maxSharedPerBlockOptin) {
                throw new IllegalStateException(k.name + " needs " + dynamicSmem + " bytes of shared memory; "
                        + ctx.deviceName + " allows " + ctx.maxSharedPerBlockOptin);
            }
            k.allowDynamicSmem(dynamicSmem);
        }
        NativePointerObject[] ps = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            ps[i] = switch (args[i]) {
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case byte[] v -> Pointer.to(v);
                default -> throw new IllegalArgumentException("kernel argument of type " + args[i].getClass());
            };
        }
        KernelProfile prof = profile;
        Object mark = prof == null ? null : prof.before(k.name, stream.stream);
        Cu.check(cuLaunchKernel(k.function, gridX, gridY, gridZ, block, 1, 1, dynamicSmem, stream.stream,
                Pointer.to(ps), null), "cuLaunchKernel(" + k.name + ")");
        if (prof != null) {
            prof.after(mark, stream.stream);
        }
        if (syncAfterLaunch) {
            try {
                stream.synchronize();
            } catch (CudaException e) {
                throw new CudaException(k.name + " failed: " + e.getMessage(), e.code());
            }
        }
    }

    // ---------------------------------------------------------------- test and benchmark switches

    void setSyncAfterLaunch(boolean on) {
        this.syncAfterLaunch = on;
    }

    void setPoisonAllocations(boolean on) {
        this.poison = on;
    }

    synchronized void setProfiling(boolean on) {
        enter();
        if (on && profile == null) {
            profile = new KernelProfile();
        } else if (!on && profile != null) {
            stream.synchronize();
            profile.clear();
            profile = null;
        }
    }

    synchronized String profileReport() {
        KernelProfile p = profile;
        if (p == null) {
            throw new IllegalStateException("profiling is off: call setProfiling(true) before the work to profile");
        }
        enter();
        stream.synchronize();
        return p.report();
    }

    /** Device milliseconds of the work {@code work} queues, timed with CUDA events. */
    float elapsedMs(Runnable work) {
        enter();
        return stream.elapsedMs(work);
    }

    void synchronize() {
        enter();
        stream.synchronize();
    }

    /** Waits for queued work and releases tables, memory, modules, the stream and the context. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        ctx.makeCurrent();
        try {
            stream.synchronize();
        } finally {
            closed = true;
            tables.close();
            transfer.close();
            allocator.close();
            modules.close();
            stream.close();
            ctx.close();
        }
    }
}
