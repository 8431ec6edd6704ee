package dev.surf.bench.lab;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A view of a backend whose {@link Backend#conv3d} is {@link TapGemmConv3d} on that backend's own ops,
 * every other op the backend's: the lab's way to run a whole model (the Wan-VAE decoder) on the tap-GEMM
 * convolutions, on any device. Tensors stay the wrapped backend's; closing the view does not close it.
 */
public final class TapConvBackend {
    private TapConvBackend() {
    }

    /** The operand representation a -Dsurf.cuda.conv value of old named: taps (the input's dtype), taps-bf16, taps-bf16x3. */
    public static TapGemmConv3d.Operands operands(String name, DType input) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "taps" -> input == DType.BF16 ? TapGemmConv3d.Operands.BF16 : TapGemmConv3d.Operands.F32;
            case "taps-bf16" -> TapGemmConv3d.Operands.BF16;
            case "taps-bf16x3" -> TapGemmConv3d.Operands.BF16X3;
            default -> throw new IllegalArgumentException("not a tap-GEMM convolution: " + name
                    + " (use taps, taps-bf16 or taps-bf16x3)");
        };
    }

    /**
     * {@code be} with conv3d computed by TapGemmConv3d with the operands {@code name} gives (see
     * {@link #operands}; "taps" follows each call's input dtype); {@code convs}, if not null, counts the
     * convolutions routed.
     */
    public static Backend wrap(Backend be, String name, AtomicLong convs) {
        operands(name, DType.F32);  // fail now on a bad name
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "conv3d" -> {
                            if (convs != null) {
                                convs.incrementAndGet();
                            }
                            Tensor x = (Tensor) args[0];
                            return TapGemmConv3d.conv3d(be, x, (Tensor) args[1], (Tensor) args[2], (int) args[3],
                                    (int) args[4], (int) args[5], operands(name, x.dtype()));
                        }
                        case "close" -> {
                            return null;
                        }
                        case "name" -> {
                            return be.name() + " (conv3d: " + name + ")";
                        }
                        case "toString" -> {
                            return "TapConvBackend(" + be.name() + ", " + name + ")";
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        default -> {
                            try {
                                return m.invoke(be, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    }
                });
    }
}
