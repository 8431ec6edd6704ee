package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The one stream of a backend: every launch and copy is queued on it, so work is ordered without
 * events, and memory returned to the caching allocator can be handed out again at once (later work
 * on the same stream runs after the work that used it). Non-blocking with respect to the legacy
 * default stream, so other CUDA users in the process do not serialise with it.
 */
final class CudaStream implements AutoCloseable {
    final CUstream stream = new CUstream();
    private boolean closed;

    CudaStream() {
        Cu.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    void synchronize() {
        Cu.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /**
     * Device time of the work that {@code work} queues on this stream, measured with a pair of events
     * (milliseconds, resolution about 0.5 us). Waits for that work to finish.
     */
    float elapsedMs(Runnable work) {
        CUevent start = new CUevent();
        CUevent end = new CUevent();
        Cu.check(cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        try {
            Cu.check(cuEventCreate(end, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
            try {
                Cu.check(cuEventRecord(start, stream), "cuEventRecord");
                work.run();
                Cu.check(cuEventRecord(end, stream), "cuEventRecord");
                Cu.check(cuEventSynchronize(end), "cuEventSynchronize");
                float[] ms = new float[1];
                Cu.check(cuEventElapsedTime(ms, start, end), "cuEventElapsedTime");
                return ms[0];
            } finally {
                Cu.check(cuEventDestroy(end), "cuEventDestroy");
            }
        } finally {
            Cu.check(cuEventDestroy(start), "cuEventDestroy");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Cu.check(cuStreamDestroy(stream), "cuStreamDestroy");
        }
    }
}
