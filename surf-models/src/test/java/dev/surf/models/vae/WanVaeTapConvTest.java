package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.TapGemmConv3d;
import dev.surf.core.TapGemmConv3d.Operands;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.Numerics;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The wan-vae-tiny fixtures decoded with every convolution computed by {@link TapGemmConv3d} (the
 * CUDA backend's TAPS paths, here on the CPU backend's GEMM and copy ops): the composition through the
 * whole decoder (causal caches, upsampling, 1x1x1 shortcuts, the head) against the official output. F32
 * operands within the F32 tolerance of WanVaeConformanceTest (measured 1.7e-6 .. 1.9e-6). BF16 operands:
 * rounding x and W of every convolution to bf16 (2^-9 relative each) compounds over the decoder's
 * chained convolutions to 1.5e-2 .. 1.6e-2 on these random-weight fixtures (measured 2026-11-22), and
 * the bound is 2e-2: the same products are what the CUDA backend's TAPS_BF16 path computes, so
 * WanVaeCudaConformanceTest holds it to the same bound. Split BF16 operands (hi Hi + lo Hi + hi Lo)
 * measure 2.7e-5 .. 2.9e-5 and are held to the F32 bound. A dropped tap or channel slice is 0.1 or more.
 */
class WanVaeTapConvTest {
    private static CpuBackend cpu;
    private static SafetensorsFile cases;
    private static WanVaeConfig cfg;

    @BeforeAll
    static void load() throws Exception {
        cpu = new CpuBackend(2);
        cfg = WanVaeConfig.fromJson(Fixtures.path("wan-vae-tiny.json"));
        cases = SafetensorsFile.open(Fixtures.path("wan-vae-tiny-cases.safetensors"));
    }

    @AfterAll
    static void close() {
        cases.close();
        cpu.close();
    }

    /** The CPU backend with conv3d replaced by TapGemmConv3d on it; counts the convolutions routed. */
    private static Backend tapConvs(Operands operands, AtomicInteger convs) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("conv3d")) {
                        convs.incrementAndGet();
                        return TapGemmConv3d.conv3d(cpu, (Tensor) args[0], (Tensor) args[1], (Tensor) args[2],
                                (int) args[3], (int) args[4], (int) args[5], operands);
                    }
                    try {
                        return m.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @ParameterizedTest
    @CsvSource({"a, F32, 1e-4", "b, F32, 1e-4", "a, BF16, 2e-2", "b, BF16, 2e-2", "a, BF16X3, 1e-4", "b, BF16X3, 1e-4"})
    void decodesTheFixturesThroughTapGemms(String c, Operands operands, double tol) throws Exception {
        AtomicInteger convs = new AtomicInteger();
        Backend be = tapConvs(operands, convs);
        try (WanVaeDecoder vae = VaeCheckpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), Fixtures.path("wan-vae-tiny.json"), be);
             Tensor z = cases.read(cpu, c + ".z"); Tensor rawRef = cases.read(cpu, c + ".raw");
             Tensor raw = vae.decodeAll(z, false)) {
            assertEquals(rawRef.shape(), raw.shape());
            double err = Numerics.relError(cpu.toFloats(raw), cpu.toFloats(rawRef));
            System.out.printf("tap GEMMs (%s operands) case %s: %d convolutions, raw rel. error %.2e%n", operands, c,
                    convs.get(), err);
            assertTrue(convs.get() > 10, "the decoder's convolutions should go through the proxy, saw " + convs.get());
            assertTrue(err <= tol, operands + " case " + c + ": raw relative error " + err + " > " + tol);
        }
    }
}
