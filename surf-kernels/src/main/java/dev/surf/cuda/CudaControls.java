package dev.surf.cuda;

import java.util.Objects;

/**
 * The test and benchmark side of a {@link CudaBackend} ({@link CudaBackend#controls()}): what the
 * device and this build can run, the settings in effect, forced kernel paths, and the switches and
 * meters that tests and benchmarks need and a model never does.
 *
 * <ul>
 * <li>Forced paths ({@link #setGemmPath}, {@link #setAttentionPath}, {@link #setConvPath},
 *     {@link #setNormPath}) run one kernel whatever AUTO and the -Dsurf.cuda.* settings would pick, so a
 *     test can compare every kernel against the CPU; AUTO (the default) restores the choice. A forced
 *     path that cannot run the operands throws IllegalArgumentException.</li>
 * <li>{@link #setSyncAfterLaunch} waits after every launch, so that an asynchronous kernel fault is
 *     reported by the op that caused it; {@link #setPoisonAllocations} fills every new tensor with NaN
 *     bytes, so that an unwritten output element cannot pass a comparison.</li>
 * <li>{@link #elapsedMs} times queued work with CUDA events; {@link #setProfiling} and
 *     {@link #profileReport} time every kernel by name; {@link #memoryStats}, {@link #deviceMemory} and
 *     {@link #releaseCachedMemory} show and return device memory.</li>
 * </ul>
 * Switches are per backend and may be flipped from any thread; a launch uses the values it sees.
 */
public final class CudaControls {
    private final CudaRuntime rt;
    private final CudaSettings settings;
    private volatile GemmPath gemmPath = GemmPath.AUTO;
    private volatile AttentionPath attentionPath = AttentionPath.AUTO;
    private volatile ConvPath convPath = ConvPath.AUTO;
    private volatile NormPath normPath = NormPath.AUTO;

    CudaControls(CudaRuntime rt, CudaSettings settings) {
        this.rt = rt;
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** What the device and this build can run (compute capability, SMs, the Hopper kernels). */
    public DeviceCaps caps() {
        return rt.caps;
    }

    /** The -Dsurf.cuda.* settings this backend was opened with. */
    public CudaSettings settings() {
        return settings;
    }

    /** Forces a GEMM kernel (tests compare every path); AUTO by default. */
    public void setGemmPath(GemmPath path) {
        this.gemmPath = Objects.requireNonNull(path);
    }

    /** Forces an attention kernel; AUTO by default. */
    public void setAttentionPath(AttentionPath path) {
        this.attentionPath = Objects.requireNonNull(path);
    }

    /** Forces a conv3d kernel; AUTO by default. */
    public void setConvPath(ConvPath path) {
        this.convPath = Objects.requireNonNull(path);
    }

    /** Forces the norm kernels; AUTO by default. */
    public void setNormPath(NormPath path) {
        this.normPath = Objects.requireNonNull(path);
    }

    public GemmPath gemmPath() {
        return gemmPath;
    }

    public AttentionPath attentionPath() {
        return attentionPath;
    }

    public ConvPath convPath() {
        return convPath;
    }

    public NormPath normPath() {
        return normPath;
    }

    /** When on, every launch is followed by a stream synchronisation and an error check. */
    public void setSyncAfterLaunch(boolean on) {
        rt.setSyncAfterLaunch(on);
    }

    /** When on, every tensor this backend allocates is first filled with 0xFF bytes (NaN in F32/BF16/F16). */
    public void setPoisonAllocations(boolean on) {
        rt.setPoisonAllocations(on);
    }

    /**
     * Starts (true) or stops (false) timing every kernel launch with CUDA events, for
     * {@link #profileReport}. Off by default: the events add about a microsecond per launch.
     */
    public void setProfiling(boolean on) {
        rt.setProfiling(on);
    }

    /**
     * Device time per kernel name of the launches since profiling started or since the last report,
     * largest first (calls, total ms, mean us, share), then starts a new count. Waits for queued work.
     */
    public String profileReport() {
        return rt.profileReport();
    }

    /** Device milliseconds of the work {@code work} queues on this backend, timed with CUDA events. */
    public float elapsedMs(Runnable work) {
        return rt.elapsedMs(work);
    }

    /** Bytes held by live tensors, cached free blocks, and the peak of the former. */
    public long[] memoryStats() {
        return rt.memoryStats();
    }

    /** Device memory {free, total} in bytes, as the driver reports it. */
    public long[] deviceMemory() {
        return rt.deviceMemory();
    }

    /** Returns the allocator's cached blocks to the driver (waits for queued work first). */
    public void releaseCachedMemory() {
        rt.releaseCachedMemory();
    }
}
