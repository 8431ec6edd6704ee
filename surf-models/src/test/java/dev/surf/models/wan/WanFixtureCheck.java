package dev.surf.models.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Numerics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs fixture case c of wan-dit-tiny-cases through a model and compares every recorded intermediate
 * and the output with the official tensors, in forward order, so the first one over the tolerance
 * names the layer. Shared by the CPU and CUDA conformance tests.
 */
final class WanFixtureCheck {
    private WanFixtureCheck() {
    }

    static void check(Backend on, WanModel m, SafetensorsFile cases, String c, double tol, String label) throws Exception {
        Map<String, float[]> got = new HashMap<>();
        List<String> order = new ArrayList<>();
        try (Tensor x = cases.read(on, c + ".x"); Tensor t = cases.read(on, c + ".t"); Tensor ctx = cases.read(on, c + ".context");
             TextContext text = m.prepareText(List.of(ctx));
             Tensor out = m.forward(x, on.toFloats(t), text, (name, v) -> {
                 got.put(name, on.toFloats(v));
                 order.add(name);
             })) {
            assertEquals(x.shape(), out.shape());
            got.put("out", on.toFloats(out));
            order.add("out");
        }
        int checked = 0;
        for (String name : order) {
            String key = c + "." + name;
            if (!cases.has(key)) {
                fail("probe " + name + " has no fixture tensor " + key);
            }
            try (Tensor ref = cases.read(on, key)) {
                float[] r = on.toFloats(ref);
                assertEquals(r.length, got.get(name).length, name + " element count");
                double err = Numerics.relError(got.get(name), r);
                System.out.printf("%s case %s %-22s rel. error %.2e%n", label, c, name, err);
                assertTrue(err <= tol, label + " case " + c + ": " + name + " relative error " + err + " > " + tol);
                checked++;
            }
        }
        // patch, e, e0, context_emb, 3 per block, head, out
        assertEquals(5 + 3 * m.config().numLayers() + 1, checked);
    }
}
