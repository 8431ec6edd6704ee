package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.TorchZipWriter;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.WeightFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the DiT from official, diffusers and sharded checkpoints, and config resolution. */
class WanCheckpointTest {

    /** The tiny fixture weights as host tensors under the given names. */
    private static Map<String, Tensor> renamed(CpuBackend be, boolean diffusers) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.path("wan-dit-tiny.safetensors"))) {
            for (String n : f.names()) {
                out.put(diffusers ? WanKeys.toDiffusers(n) : n, f.read(be, n));
            }
        }
        return out;
    }

    private static float[] forwardCaseA(CpuBackend be, Path weights) throws Exception {
        try (WanModel m = WanCheckpoint.load(weights, Fixtures.path("wan-dit-tiny.json"), be);
             SafetensorsFile cases = SafetensorsFile.open(Fixtures.path("wan-dit-tiny-cases.safetensors"))) {
            try (Tensor x = cases.read(be, "a.x");
                 Tensor ctx = cases.read(be, "a.context");
                 TextContext text = m.prepareText(List.of(ctx));
                 Tensor v = m.forward(x, new float[] {937.5f}, text)) {
                return be.toFloats(v);
            }
        }
    }

    @Test
    void diffusersNamingAndShardsGiveTheSameModel(@TempDir Path dir) throws Exception {
        try (CpuBackend be = new CpuBackend(2)) {
            float[] official = forwardCaseA(be, Fixtures.path("wan-dit-tiny.safetensors"));

            Map<String, Tensor> d = renamed(be, true);
            Path diff = dir.resolve("diffusers.safetensors");
            SafetensorsWriter.write(diff, d, Map.of());
            try (Checkpoint c = Checkpoint.open(diff)) {
                assertEquals(WeightFormat.DIFFUSERS, c.naming());
            }
            assertArrayEquals(official, forwardCaseA(be, diff), "diffusers names");

            // the official container of the released checkpoints: a torch.save zip
            Path pth;
            try (WeightStore s = WeightStore.open(Fixtures.path("wan-dit-tiny.safetensors"))) {
                pth = TorchZipWriter.writeStateDict(s, dir.resolve("wan-dit-tiny.pth"));
            }
            assertArrayEquals(official, forwardCaseA(be, pth), "torch .pth container");

            // two shards and an HF-style index, as the 14B checkpoint ships
            Path sharded = Files.createDirectories(dir.resolve("sharded"));
            Map<String, Tensor> all = renamed(be, false);
            Map<String, Tensor> a = new LinkedHashMap<>();
            Map<String, Tensor> b = new LinkedHashMap<>();
            StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
            int i = 0;
            for (var e : all.entrySet()) {
                boolean first = i++ % 2 == 0;
                (first ? a : b).put(e.getKey(), e.getValue());
                index.append(i > 1 ? ", " : "").append('"').append(e.getKey()).append("\": \"")
                        .append(first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
            }
            index.append("}}");
            SafetensorsWriter.write(sharded.resolve("model-00001-of-00002.safetensors"), a, Map.of());
            SafetensorsWriter.write(sharded.resolve("model-00002-of-00002.safetensors"), b, Map.of());
            Files.writeString(sharded.resolve("model.safetensors.index.json"), index.toString());
            assertArrayEquals(official, forwardCaseA(be, sharded), "sharded");
            d.values().forEach(Tensor::close);
            all.values().forEach(Tensor::close);
        }
    }

    @Test
    void bf16MatricesAreUsedFromTheMappedFileWithoutAnF32Copy(@TempDir Path dir) throws Exception {
        try (CpuBackend be = new CpuBackend(2)) {
            Map<String, Tensor> w = renamed(be, false);
            Map<String, Tensor> bf = new LinkedHashMap<>();
            for (var e : w.entrySet()) {
                bf.put(e.getKey(), be.convert(e.getValue(), dev.surf.core.DType.BF16));
            }
            Path file = dir.resolve("bf16.safetensors");
            SafetensorsWriter.write(file, bf, Map.of());
            try (WanModel m = WanCheckpoint.load(file, Fixtures.path("wan-dit-tiny.json"), be)) {
                Tensor q = m.blocks[0].selfAttn.q;
                assertEquals(dev.surf.core.DType.BF16, q.dtype(), "matrix weights keep the stored type on the CPU");
                assertTrue(!q.isOwner(), "and borrow the mapping instead of copying it");
                assertEquals(dev.surf.core.DType.F32, m.headWeight.dtype(), "fp32-path weights are F32 as officially");
            }
            w.values().forEach(Tensor::close);
            bf.values().forEach(Tensor::close);
        }
    }

    @Test
    void configIsInferredFromShapesWhenNoneIsGiven() throws Exception {
        try (Checkpoint c = Checkpoint.open(Fixtures.path("wan-dit-tiny.safetensors"))) {
            WanConfig inferred = WanCheckpoint.infer(WanCheckpoint.weights(c));
            WanConfig json = WanConfig.fromJson(Fixtures.path("wan-dit-tiny.json"));
            // text_len is not stored in any shape: the class default 512 is taken
            assertEquals(new WanConfig(json.patchT(), json.patchH(), json.patchW(), 512, json.inDim(), json.dim(), json.ffnDim(),
                    json.freqDim(), json.textDim(), json.outDim(), json.numHeads(), json.numLayers(), json.qkNorm(),
                    json.crossAttnNorm(), json.eps()), inferred);
        }
    }

    @Test
    void theConfigSaysWhereItCameFrom(@TempDir Path dir) throws Exception {
        Path weights = Fixtures.path("wan-dit-tiny.safetensors");
        Path json = Fixtures.path("wan-dit-tiny.json");
        WanConfigSource given = WanCheckpoint.config(weights, json);
        assertEquals(WanConfigSource.Origin.GIVEN_FILE, given.origin());
        assertEquals(WanConfig.fromJson(json), given.config());
        assertEquals("config from " + json, given.describe());

        // a folder with weights and config.json, as the released checkpoints ship
        Path folder = Files.createDirectories(dir.resolve("Wan-tiny"));
        Files.copy(weights, folder.resolve("diffusion_pytorch_model.safetensors"));
        Files.copy(json, folder.resolve("config.json"));
        for (Path p : List.of(folder, folder.resolve("diffusion_pytorch_model.safetensors"))) {
            WanConfigSource beside = WanCheckpoint.config(p, null);
            assertEquals(WanConfigSource.Origin.FOLDER_CONFIG, beside.origin(), p.toString());
            assertEquals(WanConfig.fromJson(json), beside.config());
            assertTrue(beside.describe().contains(folder.resolve("config.json").toString()), beside.describe());
        }

        Path alone = Files.copy(weights, Files.createDirectories(dir.resolve("alone")).resolve("model.safetensors"));
        List<WanConfigSource> seen = new ArrayList<>();
        try (CpuBackend be = new CpuBackend(1); WanModel m = WanCheckpoint.load(alone, null, be, seen::add)) {
            assertEquals(1, seen.size());
            WanConfigSource inferred = seen.get(0);
            assertEquals(WanConfigSource.Origin.WEIGHT_SHAPES, inferred.origin());
            assertEquals(m.config(), inferred.config());
            // the fixture is 256 wide, so heads = 256 / 128 = 2 are assumed
            assertEquals("config inferred from the weight shapes of " + alone + " (no config.json beside it): assumed text_len 512,"
                    + " eps 1e-06, num_heads = dim / 128 = 2", inferred.describe());
        }
    }

    @Test
    void missingOrMisshapedWeightsNameTheTensor(@TempDir Path dir) throws Exception {
        try (CpuBackend be = new CpuBackend(1)) {
            Map<String, Tensor> w = renamed(be, false);
            w.remove("blocks.1.ffn.2.weight").close();
            Path broken = dir.resolve("broken.safetensors");
            SafetensorsWriter.write(broken, w, Map.of());
            String m = assertThrows(IOException.class, () -> WanCheckpoint.load(broken, Fixtures.path("wan-dit-tiny.json"), be))
                    .getMessage();
            assertTrue(m.contains("blocks.1.ffn.2.weight"), m);
            w.values().forEach(Tensor::close);

            Map<String, Tensor> w2 = renamed(be, false);
            String bad = dir.resolve("wrong.json").toString();
            Files.writeString(Path.of(bad), Files.readString(Fixtures.path("wan-dit-tiny.json")).replace("\"ffn_dim\": 512", "\"ffn_dim\": 640"));
            Path ok = dir.resolve("ok.safetensors");
            SafetensorsWriter.write(ok, w2, Map.of());
            m = assertThrows(IOException.class, () -> WanCheckpoint.load(ok, Path.of(bad), be)).getMessage();
            assertTrue(m.contains("blocks.0.ffn.0.weight") && m.contains("640"), m);
            w2.values().forEach(Tensor::close);
        }
    }
}
