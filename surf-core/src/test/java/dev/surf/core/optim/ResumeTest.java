package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume equals uninterrupted: a 2-layer MLP (frozen input projection, then linear-ReLU-linear,
 * forward with {@link dev.surf.core.Backend#linear}, backward written out below) trained N steps in
 * one go, and N/2 steps + save + load into a fresh, differently initialised model + N/2 steps, end
 * with the same bytes in weights, moments, averages and the final checkpoint file. The run uses
 * every piece: seeded data order, input noise from a Philox position, two micro-batches per step,
 * global-norm clipping, AdamW on a warm-up + cosine schedule and an EMA.
 */
class ResumeTest {
    private static final int IN = 4;
    private static final int HIDDEN = 8;
    private static final int SAMPLES = 40;
    private static final int MICRO = 3;
    private static final int STEPS = 12;
    private static CpuBackend cpu;
    private static float[][] xs;
    private static float[] ys;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
        SplittableRandom rnd = new SplittableRandom(99);
        xs = new float[SAMPLES][IN];
        ys = new float[SAMPLES];
        for (int n = 0; n < SAMPLES; n++) {
            double t = 0;
            for (int i = 0; i < IN; i++) {
                xs[n][i] = (float) rnd.nextGaussian();
                t += Math.sin(xs[n][i] * (i + 1));
            }
            ys[n] = (float) t;
        }
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    /** Model, optimizer, average and the loop's own state. */
    private static final class Run implements AutoCloseable {
        final ParameterSet params = new ParameterSet();
        final AdamW adam;
        final Ema ema;
        final GradAccumulator acc;
        final LrSchedule schedule = LrSchedule.cosine(3e-2, 3, STEPS, 1e-4);
        DataOrder data = new DataOrder(2024, SAMPLES);
        long step;
        long rngOffset;
        final long rngSeed = 77;

        Run(long initSeed) {
            SplittableRandom rnd = new SplittableRandom(initSeed);
            params.add(Parameter.frozen("proj", tensor(rnd, 0.5, IN, IN)));
            params.add(Parameter.trainable("l1.weight", tensor(rnd, 0.5, HIDDEN, IN)));
            params.add(Parameter.trainable("l1.bias", tensor(rnd, 0.1, HIDDEN)));
            params.add(Parameter.trainable("l2.weight", tensor(rnd, 0.3, 1, HIDDEN)));
            params.add(Parameter.trainable("l2.bias", tensor(rnd, 0.1, 1)));
            adam = new AdamW(new AdamW.Config(3e-2, 0.9, 0.999, 1e-8, 0.01), params);
            ema = new Ema(params, 0.9);
            acc = new GradAccumulator(params);
        }

        private static Tensor tensor(SplittableRandom rnd, double scale, int... dims) {
            float[] a = new float[Math.toIntExact(Shape.of(dims).numel())];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextGaussian() * scale);
            }
            return cpu.fromFloats(a, Shape.of(dims));
        }

        TrainProgress progress() {
            return TrainProgress.of(step, data, rngSeed, rngOffset, schedule);
        }

        void resume(TrainProgress p) {
            step = p.step();
            rngOffset = p.rngOffset();
            data = p.dataOrder();
        }

        /** Trains {@code n} steps; returns the last step's loss. */
        double train(int n) {
            double loss = 0;
            for (int k = 0; k < n; k++) {
                params.zeroGrad();
                loss = 0;
                for (int micro = 0; micro < 2; micro++) {
                    loss += microBatch(data.next(MICRO)) / 2;
                    acc.add(MICRO);
                }
                acc.finish();
                GradClip.globalNorm(params, 1.0);
                step++;
                adam.step(schedule.at(step));
                ema.update();
            }
            return loss;
        }

        /** Forward and backward of mean((y - target)^2) / 2 over one micro-batch; leaves its mean gradient. */
        private double microBatch(int[] ids) {
            int b = ids.length;
            float[] x = new float[b * IN];
            for (int r = 0; r < b; r++) {
                System.arraycopy(xs[ids[r]], 0, x, r * IN, IN);
            }
            try (Tensor clean = cpu.fromFloats(x, Shape.of(b, IN));
                 Tensor noise = cpu.empty(DType.F32, Shape.of(b, IN))) {
                cpu.fillNormal(noise, rngSeed, rngOffset);
                rngOffset += b * IN;
                try (Tensor in = cpu.combine(new float[] {1f, 0.05f}, clean, noise);
                     Tensor h0 = cpu.linear(in, params.get("proj").master(), null, Activation.NONE);
                     Tensor h1 = cpu.linear(h0, params.get("l1.weight").master(), params.get("l1.bias").master(),
                             Activation.NONE)) {
                    float[] pre = cpu.toFloats(h1);
                    float[] act = new float[pre.length];
                    for (int i = 0; i < pre.length; i++) {
                        act[i] = Math.max(pre[i], 0f);
                    }
                    try (Tensor a1 = cpu.fromFloats(act, Shape.of(b, HIDDEN));
                         Tensor y = cpu.linear(a1, params.get("l2.weight").master(), params.get("l2.bias").master(),
                                 Activation.NONE)) {
                        float[] out = cpu.toFloats(y);
                        float[] dy = new float[b];
                        double loss = 0;
                        for (int r = 0; r < b; r++) {
                            float e = out[r] - ys[ids[r]];
                            loss += 0.5 * e * e / b;
                            dy[r] = e / b;
                        }
                        backward(b, dy, h0, a1, pre);
                        return loss;
                    }
                }
            }
        }

        private void backward(int b, float[] dyArr, Tensor h0, Tensor a1, float[] pre) {
            try (Tensor dy = cpu.fromFloats(dyArr, Shape.of(b, 1));
                 Tensor dyT = cpu.permute(dy, 1, 0);
                 Tensor a1T = cpu.permute(a1, 1, 0);
                 Tensor dW2 = cpu.linear(dyT, a1T, null, Activation.NONE); // dy^T a1: [1, HIDDEN]
                 Tensor w2T = cpu.permute(params.get("l2.weight").master(), 1, 0);
                 Tensor da1 = cpu.linear(dy, w2T, null, Activation.NONE)) { // dy W2: [b, HIDDEN]
                cpu.copy(dW2, params.get("l2.weight").grad());
                HostArrays.store(new float[] {sumRows(dyArr, b, 1)[0]}, params.get("l2.bias").grad());
                float[] dh = cpu.toFloats(da1);
                for (int i = 0; i < dh.length; i++) {
                    dh[i] = pre[i] > 0 ? dh[i] : 0f;
                }
                try (Tensor dh1 = cpu.fromFloats(dh, Shape.of(b, HIDDEN));
                     Tensor dh1T = cpu.permute(dh1, 1, 0);
                     Tensor h0T = cpu.permute(h0, 1, 0);
                     Tensor dW1 = cpu.linear(dh1T, h0T, null, Activation.NONE)) { // dh1^T h0: [HIDDEN, IN]
                    cpu.copy(dW1, params.get("l1.weight").grad());
                    HostArrays.store(sumRows(dh, b, HIDDEN), params.get("l1.bias").grad());
                }
            }
        }

        private static float[] sumRows(float[] a, int rows, int cols) {
            float[] s = new float[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    s[c] += a[r * cols + c];
                }
            }
            return s;
        }

        @Override
        public void close() {
            acc.close();
            ema.close();
            adam.close();
            params.close();
        }
    }

    private static void assertSameBytes(Run want, Run got) {
        SameState.assertSame(want.params, want.adam, want.ema, got.params, got.adam, got.ema);
    }

    @Test
    void resumedRunEqualsUninterruptedRunBitForBit() throws Exception {
        Path mid = dir.resolve("mid.safetensors");
        Path endWhole = dir.resolve("whole.safetensors");
        Path endResumed = dir.resolve("resumed.safetensors");
        try (Run whole = new Run(1)) {
            double first = whole.train(1);
            double last = whole.train(STEPS - 1);
            assertTrue(last < first, "the model must learn: loss " + first + " -> " + last);
            TrainCheckpoint.save(endWhole, whole.params, whole.adam, whole.ema, whole.progress());
            try (Run firstHalf = new Run(1)) {
                firstHalf.train(STEPS / 2);
                TrainCheckpoint.save(mid, firstHalf.params, firstHalf.adam, firstHalf.ema, firstHalf.progress());
            }
            // The resumed model starts from other weights (and the same frozen projection): load must set everything.
            try (Run resumed = new Run(1)) {
                SplittableRandom scramble = new SplittableRandom(5);
                for (Parameter p : resumed.params.trainable()) {
                    float[] junk = new float[(int) p.shape().numel()];
                    for (int i = 0; i < junk.length; i++) {
                        junk[i] = (float) scramble.nextGaussian();
                    }
                    HostArrays.store(junk, p.master());
                }
                resumed.resume(TrainCheckpoint.load(mid, resumed.params, resumed.adam, resumed.ema));
                resumed.train(STEPS - STEPS / 2);
                assertSameBytes(whole, resumed);
                TrainCheckpoint.save(endResumed, resumed.params, resumed.adam, resumed.ema, resumed.progress());
            }
            assertArrayEquals(Files.readAllBytes(endWhole), Files.readAllBytes(endResumed), "final checkpoint files");

            // The comparison can fail: resuming with the RNG position lost gives other bytes.
            try (Run careless = new Run(1)) {
                TrainProgress p = TrainCheckpoint.load(mid, careless.params, careless.adam, careless.ema);
                careless.resume(new TrainProgress(p.step(), p.dataSeed(), p.dataSize(), p.data(), p.rngSeed(), 0,
                        p.schedule()));
                careless.train(STEPS - STEPS / 2);
                assertFalse(java.util.Arrays.equals(cpu.toFloats(whole.params.get("l1.weight").master()),
                        cpu.toFloats(careless.params.get("l1.weight").master())));
            }
        }
    }
}
