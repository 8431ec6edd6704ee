package dev.surf.core;

import dev.surf.core.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens backends by spec: "cpu", "cpu:THREADS", "cuda", "cuda:INDEX", or "auto" (CUDA if usable, else CPU). */
public final class Backends {
    private Backends() {
    }

    /** Every registered kind, the CPU first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        list.add(new CpuProvider());
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            list.add(p);
        }
        return list;
    }

    /**
     * Opens the backend named by spec. Unknown names and unusable devices throw an
     * IllegalArgumentException whose message says what exists and why a device cannot be used.
     */
    public static Backend open(String spec) {
        return open(spec, BackendOptions.DEFAULT);
    }

    /**
     * Opens the backend named by spec computing in the given activation type (null: its default; the
     * CPU computes in F32 only, CUDA in BF16 or F32).
     */
    public static Backend open(String spec, DType activation) {
        return open(spec, BackendOptions.DEFAULT.withActivation(activation));
    }

    /**
     * Opens the backend named by spec with the given options (activation type, memory limit); the
     * provider of that kind applies them or says why it cannot.
     */
    public static Backend open(String spec, BackendOptions options) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("auto")) {
            for (BackendProvider p : providers()) {
                if (!p.name().equals("cpu") && p.unavailableReason() == null) {
                    return p.open(-1, options);
                }
            }
            return new CpuProvider().open(-1, options);
        }
        String name = s;
        int index = -1;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            name = s.substring(0, colon);
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + spec + "': the part after ':' must be a number");
            }
            if (index < 0) {
                throw new IllegalArgumentException("device '" + spec + "': the number after ':' must be >= 0");
            }
        }
        List<String> known = new ArrayList<>();
        for (BackendProvider p : providers()) {
            known.add(p.name());
            if (p.name().equals(name)) {
                String why = p.unavailableReason();
                if (why != null) {
                    throw new IllegalArgumentException("device '" + spec + "' cannot be used: " + why);
                }
                return p.open(index, options);
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "'; known: auto, " + String.join(", ", known));
    }

    /** The most CPU threads a backend may ask for (more than any machine this runs on has cores). */
    public static final int MAX_CPU_THREADS = 1024;

    private static final class CpuProvider implements BackendProvider {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Backend open(int threads) {
            if (threads == 0 || threads < -1 || threads > MAX_CPU_THREADS) {
                throw new IllegalArgumentException("device cpu:" + threads + ": the thread count must be in [1, "
                        + MAX_CPU_THREADS + "]");
            }
            return threads < 0 ? new CpuBackend() : new CpuBackend(threads);
        }

        @Override
        public Backend open(int threads, BackendOptions options) {
            if (options.memoryLimit() != null) {
                throw new IllegalArgumentException("memoryLimit: applies to CUDA devices; on " + name()
                        + " the JVM heap (-Xmx) is the limit");
            }
            return open(threads, options.activation());
        }
    }
}
