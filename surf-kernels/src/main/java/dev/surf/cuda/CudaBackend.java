package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Half;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The CUDA backend: the {@link Backend} contract on one GPU through the JCuda driver API, with the
 * kernels of cuda/*.cu. Semantics are those of the CPU backend (the reference every kernel is tested
 * against); precision is the input's with F32 accumulation: BF16 matrix operands use tensor cores,
 * F32 ones CUDA cores (except conv3d on the opt-in TF32 and BF16 paths, see {@link ConvPath}), and
 * norms, softmax state, residual stream and sampler state stay F32.
 *
 * <p>All work goes to one stream per backend, in call order; host copies wait for it, other ops return
 * as soon as they are queued ({@link #synchronize()} waits). Any thread may call: each entry point
 * makes the context current on the calling thread first. Device memory comes from a caching allocator.
 *
 * <p>Beyond the contract: {@link #elapsedMs} times queued work with events (for benchmarks),
 * {@link #setSyncAfterLaunch} waits after every launch so that an asynchronous kernel fault is reported
 * by the op that caused it (tests), and {@link #setPoisonAllocations} fills every new tensor with NaN
 * bytes so that an unwritten output element cannot pass a comparison (tests).
 *
 * <p>System properties, read when a backend opens, for bisecting a kernel on new hardware:
 * {@code -Dsurf.cuda.wgmma=false} keeps AUTO GEMMs off the Hopper wgmma kernel (mma.sync instead),
 * {@code -Dsurf.cuda.flash=false} sends all attention to the generic kernel.
 *
 * <p>Hopper paths (first run and verified on an H100 on 2026-11-22; cuda/NOTES.md has the numbers):
 * BF16 attention with head dim 64/128 takes the TMA + wgmma kernel (cuda/attention_wgmma.cu), 1.3x
 * the mma.sync flash kernel at Wan's shapes; {@code -Dsurf.cuda.attnWgmma=false} keeps it on the flash
 * kernel and {@code =simple} picks the wgmma kernel's non-overlapped variant.
 * AUTO GEMMs of at least 128 x 128 take the persistent, warp-specialised TMA kernel
 * (cuda/gemm_persistent.cu): 87% of torch.matmul at 8192^3 on an H100 against the wgmma kernel's 58%
 * (2026-11-22, docs/benchmarks.md), its ping-pong schedule for K &lt;= 2048 and the cooperative one
 * above. {@code -Dsurf.cuda.gemmPersistent=cooperative|pingpong} fixes the schedule, {@code =false}
 * takes the wgmma kernel (see {@link GemmPath}). Tests force each path with
 * {@link #setGemmPath} and {@link #setAttentionPath} whatever these properties say.
 *
 * <p>conv3d takes the implicit-GEMM TF32 kernel (cuda/conv3d_igemm.cu) by default, the precision of
 * PyTorch's fp32 Conv3d under cuDNN's default TF32; {@code -Dsurf.cuda.conv=direct} gives the
 * bit-exact (CPU-identical, 20-70x slower) direct kernel, and {@code taps|taps-bf16|taps-bf16x3}
 * convolutions composed of the GEMM and copy kernels (see {@link ConvPath}).
 */
public final class CudaBackend implements Backend {
    /**
     * Which GEMM kernel {@link #linear} and {@link #linearResidual} use. AUTO picks by shape, dtype and
     * device; WGMMA (Hopper warpgroup MMA, compute capability 9.0 only) and MMA (mma.sync, sm_80+) are
     * the tensor-core kernels, SIMT the CUDA-core one. PERSISTENT and PINGPONG are the persistent TMA
     * kernels of cuda/gemm_persistent.cu (compute capability 9.0): cooperative 128 x 256 tiles, and
     * 128 x 128 tiles with the two consumer warpgroups on alternate tiles. On Hopper AUTO takes one of
     * them where it would otherwise take WGMMA: PINGPONG for K &lt;= 2048 (its epilogue overlaps the other
     * warpgroup's main loop, which pays when the main loop is short), PERSISTENT above (bigger tiles,
     * less operand traffic). {@code -Dsurf.cuda.gemmPersistent=cooperative|pingpong} fixes the
     * schedule, {@code =false} takes WGMMA. Both passed the GEMM tests on an H100 on 2026-11-22; the
     * timings behind the split are in docs/benchmarks.md.
     * Forcing a path that cannot run the given operands throws IllegalArgumentException.
     */
    public enum GemmPath {
        AUTO, WGMMA, PERSISTENT, PINGPONG, MMA, SIMT;

        /** Whether this is one of the persistent TMA kernels (cuda/gemm_persistent.cu). */
        public boolean persistent() {
            return this == PERSISTENT || this == PINGPONG;
        }
    }

    /**
     * Which attention kernel {@link #attention} uses. AUTO picks by dtype, head dim and device (and the
     * switches above); WGMMA and WGMMA_SIMPLE are the Hopper TMA + wgmma kernel, overlapped and not
     * (compute capability 9.0 only), FLASH the mma.sync kernel (sm_80+), GENERIC the one for any dtype
     * and head dim, GEMM two F32 GEMMs around a row softmax (F32 operands, no bias, window or key
     * lengths; AUTO's choice for those). Forcing a path that cannot run the given operands throws
     * IllegalArgumentException.
     */
    public enum AttentionPath { AUTO, WGMMA, WGMMA_SIMPLE, FLASH, GENERIC, GEMM }

    /**
     * Which kernel {@link #conv3d} uses. DIRECT (cuda/conv3d.cu) is one thread per output element in the
     * CPU's order, bit-identical to the CPU backend, and slow (CUDA cores). IGEMM (cuda/conv3d_igemm.cu)
     * is an implicit GEMM on TF32 tensor cores with F32 accumulation for F32 inputs: about 1e-3 relative
     * error, like PyTorch's fp32 Conv3d with cuDNN's default TF32. The TAPS paths compose the convolution
     * from this backend's own verified GEMM and copy kernels ({@link dev.surf.core.TapGemmConv3d}: one
     * GEMM per tap pair over a padded channels-last copy), F32 accumulation always: TAPS with operands in
     * the input's dtype (F32: CUDA-core GEMM), TAPS_BF16 rounded to bf16 (tensor cores; 2^-9 per
     * operand), TAPS_BF16X3 split into bf16 high and low parts (tensor cores, three times the GEMM depth,
     * nearly F32). AUTO is what {@code -Dsurf.cuda.conv=direct|igemm|taps|taps-bf16|taps-bf16x3} says
     * (default igemm); an AUTO IGEMM that cannot run the operands (non-F32 input, sizes past 32-bit
     * offsets) falls back to DIRECT. Every path passed the kernel and VAE conformance tests on an H100
     * (2026-11-22); IGEMM is the fastest (about cuDNN's speed), the TAPS paths 1.6-4.6x slower than it.
     * Forcing IGEMM on operands it cannot take throws IllegalArgumentException.
     */
    public enum ConvPath { AUTO, DIRECT, IGEMM, TAPS, TAPS_BF16, TAPS_BF16X3 }

    /**
     * Which kernels {@link #layerNorm}, {@link #layerNormModulate} and {@link #rmsNorm} use. BLOCK is
     * one 256-thread block per row, any row length and dtype. WARP is one warp per row with the row in
     * registers and 16-byte accesses (cuda/norms.cu, layer_norm_warp / rms_norm_warp) wherever it
     * applies: row length a multiple of 128 up to 2048, F32 or BF16 input and output, 16-byte aligned
     * input (and weight, bias, adaLN shift/scale, which must be F32 or BF16); elsewhere BLOCK. AUTO is
     * WARP unless {@code -Dsurf.cuda.warpNorms=false}: on an H100 (2026-11-22) the warp kernels took
     * 0.12 ms for an adaLN LayerNorm of [32760, 1536] against the block kernel's 0.22.
     */
    public enum NormPath { AUTO, BLOCK, WARP }

    final CudaContext ctx;
    final CudaModules modules;
    final CudaStream stream;
    final CudaAllocator allocator;
    final CudaTransfer transfer;
    final DeviceTables tables;
    private final Map<String, Integer> constants = new ConcurrentHashMap<>();
    private volatile boolean syncAfterLaunch;
    /** Per-kernel device times while profiling; null when off. */
    private volatile KernelProfile profile;
    private volatile boolean poison;
    private volatile GemmPath gemmPath = GemmPath.AUTO;
    private volatile AttentionPath attentionPath = AttentionPath.AUTO;
    private volatile boolean closed;
    private final boolean autoWgmma = !"false".equalsIgnoreCase(System.getProperty("surf.cuda.wgmma"));
    private final boolean flashAttention = !"false".equalsIgnoreCase(System.getProperty("surf.cuda.flash"));
    /** -Dsurf.cuda.attnWgmma: "true" (overlapped kernel, the default), "simple", or "false" (flash kernel). */
    private final String attnWgmma = System.getProperty("surf.cuda.attnWgmma", "true").toLowerCase(java.util.Locale.ROOT);
    private final GemmPath gemmPersistent = autoPersistentPath(System.getProperty("surf.cuda.gemmPersistent", "true"));
    private volatile ConvPath convPath = ConvPath.AUTO;
    private volatile NormPath normPath = NormPath.AUTO;
    private final boolean warpNorms = switchValue("surf.cuda.warpNorms", true);
    private final ConvPath autoConv = autoConvPath(System.getProperty("surf.cuda.conv", "igemm"));

    private final DType activation;

    /** Opens device {@code ordinal} computing matrix products in bf16; see {@link CudaBackendProvider}. */
    public CudaBackend(int ordinal) {
        this(ordinal, DType.BF16);
    }

    /**
     * Opens device {@code ordinal} with the given activation type: BF16 (tensor cores, the official
     * precision) or F32 (every matrix product and attention in F32 on CUDA cores: slower, for
     * precision studies).
     */
    public CudaBackend(int ordinal, DType activation) {
        if (activation != DType.BF16 && activation != DType.F32) {
            throw new IllegalArgumentException("the CUDA backend computes in BF16 or F32, not " + activation);
        }
        this.activation = activation;
        String why = CudaProbe.unavailableReason();
        if (why != null) {
            throw new IllegalStateException("CUDA backend unavailable: " + why);
        }
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
    }

    @Override
    public String name() {
        return "cuda:" + ctx.ordinal + " " + ctx.deviceName;
    }

    @Override
    public DType activationType() {
        return activation;
    }

    /** Caps the device memory this backend holds (live tensors plus its allocation cache), in bytes. */
    public void setMemoryLimit(long bytes) {
        allocator.setLimit(bytes);
    }

    /** Compute capability as "major.minor". */
    public String computeCapability() {
        return ctx.ccMajor + "." + ctx.ccMinor;
    }

    /** Whether the Hopper (sm_90a, wgmma) GEMM can run on this device. */
    public boolean hasWgmma() {
        return ctx.isHopper() && CudaModules.present("gemm_wgmma");
    }

    /**
     * Whether the Hopper TMA + wgmma attention kernel can run here: compute capability 9.0, its sm_90a
     * fatbin, and the driver's tensor-map encoder.
     */
    public boolean hasAttnWgmma() {
        return ctx.isHopper() && CudaModules.present("attention_wgmma") && TensorMaps.unavailableReason() == null;
    }

    /** Whether the persistent TMA + wgmma GEMM can run here (same requirements as {@link #hasAttnWgmma}). */
    public boolean hasGemmPersistent() {
        return ctx.isHopper() && CudaModules.present("gemm_persistent") && TensorMaps.unavailableReason() == null;
    }

    /** Number of streaming multiprocessors. */
    public int multiprocessors() {
        return ctx.multiprocessors;
    }

    // ---------------------------------------------------------------- test and benchmark controls

    /** When on, every launch is followed by a stream synchronisation and an error check (for tests). */
    public void setSyncAfterLaunch(boolean on) {
        this.syncAfterLaunch = on;
    }

    /**
     * Starts (true) or stops (false) timing every kernel launch with CUDA events, for
     * {@link #profileReport}. Off by default: the events add about a microsecond per launch.
     */
    public synchronized void setProfiling(boolean on) {
        enter();
        if (on && profile == null) {
            profile = new KernelProfile();
        } else if (!on && profile != null) {
            stream.synchronize();
            profile.clear();
            profile = null;
        }
    }

    /**
     * Device time per kernel name of the launches since profiling started or since the last report,
     * largest first (calls, total ms, mean us, share), then starts a new count. Waits for queued work.
     */
    public synchronized String profileReport() {
        KernelProfile p = profile;
        if (p == null) {
            throw new IllegalStateException("profiling is off: call setProfiling(true) before the work to profile");
        }
        enter();
        stream.synchronize();
        return p.report();
    }

    /** When on, every tensor this backend allocates is first filled with 0xFF bytes (NaN in F32/BF16/F16). */
    public void setPoisonAllocations(boolean on) {
        this.poison = on;
    }

    /** Forces a GEMM kernel (tests compare both paths); AUTO by default. */
    public void setGemmPath(GemmPath path) {
        this.gemmPath = path;
    }

    GemmPath gemmPath() {
        return gemmPath;
    }

    /** Forces an attention kernel (tests compare every path); AUTO by default. */
    public void setAttentionPath(AttentionPath path) {
        this.attentionPath = path;
    }

    AttentionPath attentionPath() {
        return attentionPath;
    }

    /**
     * The wgmma attention variant AUTO picks on Hopper (-Dsurf.cuda.attnWgmma, default true; or simple),
     * or null when AUTO stays on the mma.sync flash kernel (not Hopper, or -Dsurf.cuda.attnWgmma=false).
     */
    AttentionPath autoAttnWgmma() {
        if (!hasAttnWgmma()) {
            return null;
        }
        return switch (attnWgmma) {
            case "true" -> AttentionPath.WGMMA;
            case "simple" -> AttentionPath.WGMMA_SIMPLE;
            default -> null;
        };
    }

    /**
     * The persistent kernel AUTO GEMMs that would use the wgmma kernel take instead, from
     * -Dsurf.cuda.gemmPersistent: PERSISTENT or PINGPONG, AUTO for the schedule by shape (the default,
     * see {@link CudaGemm#persistentSchedule}), or null for none.
     */
    GemmPath autoGemmPersistent() {
        return hasGemmPersistent() ? gemmPersistent : null;
    }

    /**
     * The persistent GEMM a -Dsurf.cuda.gemmPersistent value names: AUTO (true: the schedule by shape),
     * PERSISTENT (cooperative), PINGPONG, or null (false: none); an unknown value is a clear error.
     */
    static GemmPath autoPersistentPath(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "false" -> null;
            case "true" -> GemmPath.AUTO;
            case "cooperative" -> GemmPath.PERSISTENT;
            case "pingpong" -> GemmPath.PINGPONG;
            default -> throw new IllegalArgumentException("-Dsurf.cuda.gemmPersistent=" + value
                    + " is not a choice: use true (the schedule by shape), cooperative, pingpong or false");
        };
    }

    /** A true/false system property; any other value is a clear error rather than a silent default. */
    static boolean switchValue(String property, boolean fallback) {
        String v = System.getProperty(property);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("-D" + property + "=" + v + " is not a choice: use true or false");
        };
    }

    /** Forces the norm kernels (tests compare both); AUTO by default. */
    public void setNormPath(NormPath path) {
        this.normPath = path;
    }

    /** Whether the norms take the one-warp-per-row kernels where they apply (WARP, or AUTO unless -Dsurf.cuda.warpNorms=false). */
    boolean warpNorms() {
        NormPath p = normPath;
        return p == NormPath.WARP || (p == NormPath.AUTO && warpNorms);
    }

    /** Forces a conv3d kernel (tests compare both); AUTO by default. */
    public void setConvPath(ConvPath path) {
        this.convPath = path;
    }

    ConvPath convPath() {
        return convPath;
    }

    /** The conv3d path AUTO stands for (-Dsurf.cuda.conv, default IGEMM). */
    ConvPath autoConv() {
        return autoConv;
    }

    /** The path a -Dsurf.cuda.conv value names; an unknown name is a clear error when the backend opens. */
    static ConvPath autoConvPath(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "direct" -> ConvPath.DIRECT;
            case "igemm" -> ConvPath.IGEMM;
            case "taps" -> ConvPath.TAPS;
            case "taps-bf16" -> ConvPath.TAPS_BF16;
            case "taps-bf16x3" -> ConvPath.TAPS_BF16X3;
            default -> throw new IllegalArgumentException("-Dsurf.cuda.conv=" + name
                    + " is not a conv3d path: use direct, igemm, taps, taps-bf16 or taps-bf16x3");
        };
    }

    /** Whether AUTO may pick the wgmma GEMM (off with -Dsurf.cuda.wgmma=false). */
    boolean autoWgmma() {
        return autoWgmma && hasWgmma();
    }

    /** Whether attention may use the flash kernels (off with -Dsurf.cuda.flash=false). */
    boolean flashAttention() {
        return flashAttention;
    }

    /** Device milliseconds of the work {@code work} queues on this backend, timed with CUDA events. */
    public float elapsedMs(Runnable work) {
        enter();
        return stream.elapsedMs(work);
    }

    /** Bytes held by live tensors, cached free blocks, and the peak of the former. */
    public long[] memoryStats() {
        return new long[] {allocator.liveBytes(), allocator.cachedBytes(), allocator.peakBytes()};
    }

    /** Device memory {free, total} in bytes, as the driver reports it. */
    public long[] deviceMemory() {
        enter();
        long[] free = new long[1];
        long[] total = new long[1];
        Cu.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    /** Returns the allocator's cached blocks to the driver. */
    public void releaseCachedMemory() {
        enter();
        stream.synchronize();
        allocator.releaseCache();
    }

    // ---------------------------------------------------------------- plumbing for the op classes

    /** Makes the context current on the calling thread; every public entry point calls this first. */
    void enter() {
        if (closed) {
            throw new IllegalStateException("CUDA backend " + name() + " is closed");
        }
        ctx.makeCurrent();
    }

    /** The device address of t's first element; t must belong to this backend. */
    long addr(Tensor t) {
        if (t.backend() != this || !(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("tensor " + t + " does not belong to the CUDA backend " + name());
        }
        return s.address() + t.byteOffset();
    }

    /** addr(t), or 0 for null. */
    long addrOrNull(Tensor t) {
        return t == null ? 0 : addr(t);
    }

    static DevicePointer pointer(Tensor t) {
        return ((CudaStorage) t.storage()).pointer();
    }

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

    /** A new tensor owned by the caller (poisoned when poisoning is on). */
    Tensor alloc(DType dtype, Shape shape) {
        long bytes = shape.numel() * dtype.byteSize();
        CudaStorage s = bytes == 0
                ? new CudaStorage(allocator, null, 0)
                : new CudaStorage(allocator, allocator.allocate(bytes), bytes);
        Tensor t = new Tensor(this, dtype, shape, s, 0, true);
        if (poison && bytes > 0) {
            Cu.check(cuMemsetD8Async(s.pointer(), (byte) 0xff, bytes, stream.stream), "cuMemsetD8Async");
        }
        return t;
    }

    void memcpy(Tensor src, Tensor dst) {
        if (src.byteSize() == 0) {
            return;
        }
        Cu.check(cuMemcpyDtoDAsync(pointer(dst).withByteOffset(dst.byteOffset()), pointer(src).withByteOffset(src.byteOffset()),
                src.byteSize(), stream.stream), "cuMemcpyDtoDAsync");
    }

    // ---------------------------------------------------------------- memory and copies

    @Override
    public Tensor empty(DType dtype, Shape shape) {
        enter();
        return alloc(dtype, shape);
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        enter();
        Tensor t = alloc(dtype, shape);
        if (t.byteSize() > 0) {
            Cu.check(cuMemsetD8Async(pointer(t), (byte) 0, t.byteSize(), stream.stream), "cuMemsetD8Async");
        }
        return t;
    }

    @Override
    public Tensor fromFloats(float[] data, Shape shape) {
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("fromFloats: " + data.length + " floats for shape " + shape);
        }
        return fromBytes(DType.F32, shape, MemorySegment.ofArray(data));
    }

    @Override
    public Tensor fromBytes(DType dtype, Shape shape, MemorySegment bytes) {
        enter();
        long need = shape.numel() * dtype.byteSize();
        if (bytes.byteSize() != need) {
            throw new IllegalArgumentException("fromBytes: " + bytes.byteSize() + " bytes given for " + dtype + shape
                    + " which needs " + need);
        }
        Tensor t = alloc(dtype, shape);
        if (need > 0) {
            transfer.upload(bytes, pointer(t), 0);
        }
        return t;
    }

    @Override
    public Tensor loadWeight(DType stored, Shape shape, MemorySegment bytes, DType use) {
        long need = shape.numel() * stored.byteSize();
        if (bytes.byteSize() != need) {
            throw new IllegalArgumentException("loadWeight: " + bytes.byteSize() + " bytes given for " + stored + shape
                    + " which needs " + need);
        }
        Tensor raw = fromBytes(stored, shape, bytes);
        if (use == null || use == stored) {
            return raw;
        }
        try (raw) {
            return convert(raw, use);
        }
    }

    @Override
    public float[] toFloats(Tensor t) {
        enter();
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("toFloats: tensor too large for one array: " + t);
        }
        int len = (int) n;
        float[] out = new float[len];
        switch (t.dtype()) {
            case F32 -> copyToHost(t, MemorySegment.ofArray(out));
            case BF16, F16 -> {
                short[] s = new short[len];
                copyToHost(t, MemorySegment.ofArray(s));
                boolean bf = t.dtype() == DType.BF16;
                for (int i = 0; i < len; i++) {
                    out[i] = bf ? Half.bf16ToFloat(s[i]) : Half.f16ToFloat(s[i]);
                }
            }
            case I32 -> {
                int[] s = new int[len];
                copyToHost(t, MemorySegment.ofArray(s));
                for (int i = 0; i < len; i++) {
                    out[i] = s[i];
                }
            }
            case I64 -> {
                long[] s = new long[len];
                copyToHost(t, MemorySegment.ofArray(s));
                for (int i = 0; i < len; i++) {
                    out[i] = s[i];
                }
            }
        }
        return out;
    }

    @Override
    public void copyToHost(Tensor t, MemorySegment dst) {
        enter();
        if (dst.byteSize() != t.byteSize()) {
            throw new IllegalArgumentException("copyToHost: destination has " + dst.byteSize() + " bytes, tensor "
                    + t + " has " + t.byteSize());
        }
        if (t.byteSize() > 0) {
            addr(t);
            transfer.download(pointer(t), t.byteOffset(), dst);
        }
    }

    @Override
    public Tensor convert(Tensor x, DType dtype) {
        enter();
        return CudaConvert.convert(this, x, dtype);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        enter();
        if (src.dtype() != dst.dtype() || src.numel() != dst.numel()) {
            throw new IllegalArgumentException("copy: " + src + " into " + dst + ": dtype and element count must match");
        }
        addr(src);
        addr(dst);
        memcpy(src, dst);
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        enter();
        return CudaCopy.permute(this, x, axes);
    }

    @Override
    public Tensor concat(int axis, Tensor... parts) {
        enter();
        return CudaCopy.concat(this, axis, parts);
    }

    @Override
    public void fillNormal(Tensor t, long seed, long offset) {
        enter();
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("fillNormal needs a floating tensor, got " + t);
        }
        long n = t.numel();
        if (n == 0) {
            return;
        }
        long blocks = (n + 3) / 4;
        launch(kernel("philox", "philox_normal"), gridFor(blocks, 256), 1, 1, 256, 0,
                addr(t), Dt.code(t.dtype()), n, seed, offset, 0L);
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias, Activation act) {
        enter();
        return CudaGemm.linear(this, x, w, bias, act);
    }

    @Override
    public void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        enter();
        CudaGemm.linearResidual(this, residual, x, w, bias, gate);
    }

    // ---------------------------------------------------------------- norms, position, attention

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, DType out) {
        enter();
        return CudaNorms.layerNorm(this, x, weight, bias, eps, out);
    }

    @Override
    public Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, float eps, DType out) {
        enter();
        return CudaNorms.layerNormModulate(this, x, shift, scale, eps, out);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        enter();
        return CudaNorms.rmsNorm(this, x, weight, eps);
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        enter();
        return CudaRope.rope(this, x, cos, sin);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        enter();
        return CudaAttention.attention(this, q, k, v, spec);
    }

    // ---------------------------------------------------------------- elementwise, resampling

    @Override
    public Tensor add(Tensor a, Tensor b) {
        enter();
        return CudaElementwise.binary(this, a, b, false, false);
    }

    @Override
    public void addInPlace(Tensor a, Tensor b) {
        enter();
        CudaElementwise.binary(this, a, b, false, true);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        enter();
        return CudaElementwise.binary(this, a, b, true, false);
    }

    @Override
    public Tensor activation(Tensor x, Activation act) {
        enter();
        return CudaElementwise.activation(this, x, act);
    }

    @Override
    public Tensor combine(float[] coeffs, Tensor... xs) {
        enter();
        if (xs.length == 0) {
            throw new IllegalArgumentException("combine needs at least one tensor");
        }
        Tensor out = alloc(DType.F32, xs[0].shape());
        try {
            CudaElementwise.combineInto(this, out, coeffs, xs);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    @Override
    public void combineInto(Tensor out, float[] coeffs, Tensor... xs) {
        enter();
        CudaElementwise.combineInto(this, out, coeffs, xs);
    }

    @Override
    public Tensor resize(Tensor x, int outH, int outW, ResizeMode mode) {
        enter();
        return CudaResize.resize(this, x, outH, outW, mode);
    }

    // ---------------------------------------------------------------- convolution and video (Wan-VAE)

    @Override
    public Tensor conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        enter();
        return CudaConv.conv3d(this, x, w, bias, padFront, padH, padW);
    }

    @Override
    public Tensor channelRmsNorm(Tensor x, Tensor gamma) {
        enter();
        return CudaNorms.channelRmsNorm(this, x, gamma);
    }

    @Override
    public Tensor clamp(Tensor x, float min, float max) {
        enter();
        return CudaElementwise.clamp(this, x, min, max);
    }

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        enter();
        OpChecks.embedding(table, ids);
        addr(table);
        return CudaCopy.gatherRows(this, table, ids);
    }

    @Override
    public Tensor narrow(Tensor x, int axis, int start, int length) {
        enter();
        return CudaCopy.narrow(this, x, axis, start, length);
    }

    @Override
    public void synchronize() {
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
