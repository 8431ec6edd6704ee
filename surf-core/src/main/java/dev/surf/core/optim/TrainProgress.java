package dev.surf.core.optim;

/**
 * Where a training run stands, besides its tensors: what a checkpoint stores in its metadata so that
 * a resumed run continues exactly where the saved one was.
 *
 * @param step optimizer steps completed by the loop
 * @param dataSeed seed of the {@link DataOrder}
 * @param dataSize samples per epoch of the {@link DataOrder}
 * @param data position of the next sample
 * @param rngSeed seed of the run's Philox stream (noise, time steps, dropout)
 * @param rngOffset next unused offset in that stream (see {@link dev.surf.core.Backend#fillNormal})
 * @param schedule the learning-rate schedule, a pure function of the step
 */
public record TrainProgress(long step, long dataSeed, int dataSize, DataOrder.Position data, long rngSeed,
        long rngOffset, LrSchedule schedule) {

    /** Checks the counters. */
    public TrainProgress {
        if (step < 0 || rngOffset < 0) {
            throw new IllegalArgumentException("train progress: step and rng offset must be >= 0, got step " + step
                    + " offset " + rngOffset);
        }
        if (data == null || schedule == null) {
            throw new IllegalArgumentException("train progress: data position and schedule are required");
        }
    }

    /** The progress of a run using {@code order}, taken now. */
    public static TrainProgress of(long step, DataOrder order, long rngSeed, long rngOffset, LrSchedule schedule) {
        return new TrainProgress(step, order.seed(), order.size(), order.position(), rngSeed, rngOffset, schedule);
    }

    /** A data order continuing at the saved position. */
    public DataOrder dataOrder() {
        return new DataOrder(dataSeed, dataSize, data);
    }
}
