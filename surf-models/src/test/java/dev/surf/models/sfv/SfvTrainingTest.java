package dev.surf.models.sfv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.refiner.train.TrainableWeights;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.train.TrainingData;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import dev.surf.models.weights.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SF-V run into a folder writes its checkpoint, losses and a one-step model that the stock
 * {@code generate} path loads and samples with one step to exactly the trained generator's output.
 */
class SfvTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theWrittenOneStepModelSamplesLikeTheTrainedGenerator() throws Exception {
        VideoSize size = new VideoSize(64, 64, 5);
        TextEmbedding prompt = TextEmbedding.standIn("a purple circle moving up", TinyModels.BASE.textDim(), 6);
        Path out = Files.createDirectories(dir.resolve("run"));
        try (SurfEngine teacherEngine = SurfEngine.builder().device("cpu:2").tinyModels().noRefiner().build();
             CpuBackend be = new CpuBackend(2);
             WanModel teacher = WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE);
             WanModel gen = WanModel.load(new TrainableWeights(new RandomWeights(TinyModels.BASE_SEED)), be, TinyModels.BASE)) {
            TeacherPairs pairs = new TeacherPairs(teacherEngine, List.of(prompt), null, size, 2, 5.0, 1.0, 3);
            TrainingData real = new TrainingData() {
                @Override
                public int size() {
                    return 2;
                }

                @Override
                public Example get(int index, Backend b) {
                    Tensor x = b.empty(DType.F32, Shape.of(16, 2, 8, 8));
                    b.fillNormal(x, 77, (long) index << 20);
                    return new Example(x, prompt.upload(b));
                }
            };
            SfvTraining.Options o = new SfvTraining.Options(2, 1e-4, 1e-4, 1.0, 0.5, 0, 1,
                    new DiscriminatorHeads.Config(new int[] {1}, 4));
            SfvTraining.run(gen, teacher, pairs, real, o, out, false, null);
            for (String f : new String[] {SfvTraining.WEIGHTS, SfvTraining.CONFIG, SfvTraining.CSV, SfvTraining.CHART,
                SfvTraining.CHECKPOINT + "/generator.safetensors", SfvTraining.CHECKPOINT + "/discriminator.safetensors"}) {
                assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing");
            }
            assertEquals(3, Files.readAllLines(out.resolve(SfvTraining.CSV)).size(), "header and two steps");

            long seed = 9;
            float[] sampled;
            try (SurfEngine oneStep = SurfEngine.builder().device("cpu:2").model(out.resolve(SfvTraining.WEIGHTS)).noRefiner().build()) {
                sampled = oneStep.generate(new GenerationRequest(prompt, null, size, seed, 1, 5.0, 1.0, SolverKind.UNIPC, null, null),
                        ProgressListener.NONE, () -> false).latent().values();
            }
            try (Tensor noise = be.empty(DType.F32, Shape.of(16, 2, 8, 8)); Tensor ctx = prompt.upload(be); Tape tape = new Tape(be)) {
                be.fillNormal(noise, seed, 0);
                float[] want = be.toFloats(new OneStep(5.0).sample(tape, new WanTrainForward(gen, n -> false), tape.constant(noise),
                        tape.constant(ctx)).x0().value());
                double num = 0;
                double den = 0;
                for (int i = 0; i < want.length; i++) {
                    num += (want[i] - sampled[i]) * (double) (want[i] - sampled[i]);
                    den += want[i] * (double) want[i];
                }
                assertTrue(Math.sqrt(num / den) < 1e-5, "generate --steps 1 with the written model vs the trained generator: "
                        + Math.sqrt(num / den));
            }
            // the trained weights moved away from the teacher's
            float[] a = be.toFloats(gen.parameters().get("head.head.weight"));
            float[] b = be.toFloats(teacher.parameters().get("head.head.weight"));
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff > 0, "two steps of training must change the generator");
        }
    }
}
