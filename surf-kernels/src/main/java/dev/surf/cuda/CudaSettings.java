package dev.surf.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Every {@code -Dsurf.cuda.*} option of the CUDA backend, parsed once (when a backend opens, from the
 * system properties) and strictly: a value that is not one of the option's choices, and a property name
 * under {@code surf.cuda.} that is no option (a typo such as {@code -Dsurf.cuda.gemPersistent=false}), are
 * IllegalArgumentExceptions naming the property and the choices, never a silent default. Values are
 * case-insensitive, names are not. {@link #OPTIONS} lists them with their values and what they do (the
 * same table as docs/architecture.md, "Options"). The options exist for bisecting a kernel on new
 * hardware: each moves AUTO off a kernel, none changes what a forced path ({@link CudaControls}) runs.
 *
 * @param wgmma          {@code surf.cuda.wgmma}: whether AUTO GEMMs may take the non-persistent Hopper
 *                       wgmma kernel where the persistent one is off or unavailable (else mma.sync)
 * @param flash          {@code surf.cuda.flash}: whether AUTO attention may take the mma.sync flash kernel
 *                       (else the generic one; the Hopper wgmma kernel is governed by attnWgmma)
 * @param attnWgmma      {@code surf.cuda.attnWgmma}: which Hopper wgmma attention kernel AUTO takes
 * @param gemmPersistent {@code surf.cuda.gemmPersistent}: the persistent TMA GEMM schedule AUTO takes on Hopper
 * @param warpNorms      {@code surf.cuda.warpNorms}: whether AUTO norms take the one-warp-per-row kernels
 * @param conv           {@code surf.cuda.conv}: the conv3d kernel AUTO takes, IGEMM or DIRECT
 */
public record CudaSettings(boolean wgmma, boolean flash, AttnWgmma attnWgmma, PersistentGemm gemmPersistent,
                           boolean warpNorms, ConvPath conv) {

    /** {@code -Dsurf.cuda.attnWgmma}: true, simple or false. */
    public enum AttnWgmma {
        /** true: the overlapped kernel where the keys are long, its plain variant for up to 2048 keys. */
        OVERLAPPED,
        /** simple: the plain (non-overlapped) variant at every length. */
        SIMPLE,
        /** false: no wgmma attention; AUTO stays on the mma.sync flash kernel. */
        OFF
    }

    /** {@code -Dsurf.cuda.gemmPersistent}: true, cooperative, pingpong or false. */
    public enum PersistentGemm {
        /** true: ping-pong for K up to 2048, cooperative above (see {@link GemmChoice}). */
        BY_SHAPE,
        /** cooperative: the 128 x 256 cooperative schedule at every K. */
        COOPERATIVE,
        /** pingpong: the 128 x 128 ping-pong schedule at every K. */
        PINGPONG,
        /** false: no persistent kernel; AUTO takes the wgmma kernel (or mma.sync with wgmma=false). */
        OFF
    }

    /**
     * One option: {@code -Dsurf.cuda.NAME}, its values (the first is the default, see {@link #defaultValue}),
     * what it does, and values that once were choices with where they went.
     */
    public record Option(String name, List<String> values, String help, Map<String, String> retired) {
        public Option {
            values = List.copyOf(values);
            retired = Map.copyOf(retired);
        }

        /** The system property, e.g. {@code surf.cuda.conv}. */
        public String property() {
            return PREFIX + name;
        }

        public String defaultValue() {
            return values.getFirst();
        }
    }

    /** The namespace of the options. */
    public static final String PREFIX = "surf.cuda.";

    private static final String LAB_TAPS = "the tap-GEMM convolutions moved to the lab, dev.surf.bench.lab.TapGemmConv3d";

    /** Every option, in the order of docs/architecture.md. */
    public static final List<Option> OPTIONS = List.of(
            new Option("gemmPersistent", List.of("true", "cooperative", "pingpong", "false"),
                    "Hopper AUTO GEMMs of at least 128 x 128: the persistent TMA kernel, ping-pong for K <= 2048 and "
                            + "cooperative above (true); one schedule everywhere (cooperative, pingpong); or none, the "
                            + "non-persistent wgmma kernel (false)", Map.of()),
            new Option("wgmma", List.of("true", "false"),
                    "false keeps Hopper AUTO GEMMs that would take the non-persistent wgmma kernel (gemmPersistent=false, "
                            + "or no tensor-map encoder) on mma.sync", Map.of()),
            new Option("attnWgmma", List.of("true", "simple", "false"),
                    "Hopper AUTO attention (BF16, head dim 64/128): the TMA + wgmma kernel, overlapped where there are "
                            + "more than 2048 keys and plain below (true); plain everywhere (simple); or the mma.sync "
                            + "flash kernel (false)", Map.of()),
            new Option("flash", List.of("true", "false"),
                    "false sends AUTO attention that would take the mma.sync flash kernel to the generic kernel "
                            + "(with attnWgmma=false, all BF16 attention on Hopper too)", Map.of()),
            new Option("warpNorms", List.of("true", "false"),
                    "false keeps AUTO LayerNorm / adaLN / RMSNorm on the one-block-per-row kernels instead of the "
                            + "one-warp-per-row ones", Map.of()),
            new Option("conv", List.of("igemm", "direct"),
                    "AUTO conv3d: the TF32 implicit GEMM (igemm; F32 inputs, else direct) or the bit-exact direct "
                            + "kernel (direct, 20-70x slower)",
                    Map.of("taps", LAB_TAPS, "taps-bf16", LAB_TAPS, "taps-bf16x3", LAB_TAPS)),
            new Option("skip", List.of("false", "true"),
                    "build time only (Maven): true builds the Java side without running nvcc; ignored at run time",
                    Map.of()));

    /** The settings with no option given. */
    public static final CudaSettings DEFAULTS = parse(Map.of());

    public CudaSettings {
        Objects.requireNonNull(attnWgmma, "attnWgmma");
        Objects.requireNonNull(gemmPersistent, "gemmPersistent");
        if (conv != ConvPath.IGEMM && conv != ConvPath.DIRECT) {
            throw new IllegalArgumentException("the conv3d setting is IGEMM or DIRECT, not " + conv);
        }
    }

    /** The settings the system properties give (read now). */
    public static CudaSettings fromSystemProperties() {
        return parse(System.getProperties());
    }

    /**
     * The settings that {@code properties} (system properties, or any name-to-value map) give; entries
     * outside {@code surf.cuda.} are ignored.
     *
     * @throws IllegalArgumentException for a name under {@code surf.cuda.} that is no option, or a value
     *     that is not one of its option's choices (the message names the property and the choices)
     */
    public static CudaSettings parse(Map<?, ?> properties) {
        Map<String, String> given = new HashMap<>();
        for (Map.Entry<?, ?> e : new HashMap<>(properties).entrySet()) {
            if (e.getKey() instanceof String k && k.startsWith(PREFIX)) {
                given.put(k.substring(PREFIX.length()), String.valueOf(e.getValue()));
            }
        }
        for (String name : new TreeSet<>(given.keySet())) {
            if (option(name) == null) {
                throw new IllegalArgumentException(unknown(name));
            }
            choice(given, name);  // every given value is checked, also of the build-time option
        }
        return new CudaSettings(
                choice(given, "wgmma").equals("true"),
                choice(given, "flash").equals("true"),
                switch (choice(given, "attnWgmma")) {
                    case "true" -> AttnWgmma.OVERLAPPED;
                    case "simple" -> AttnWgmma.SIMPLE;
                    default -> AttnWgmma.OFF;
                },
                switch (choice(given, "gemmPersistent")) {
                    case "true" -> PersistentGemm.BY_SHAPE;
                    case "cooperative" -> PersistentGemm.COOPERATIVE;
                    case "pingpong" -> PersistentGemm.PINGPONG;
                    default -> PersistentGemm.OFF;
                },
                choice(given, "warpNorms").equals("true"),
                choice(given, "conv").equals("direct") ? ConvPath.DIRECT : ConvPath.IGEMM);
    }

    /** The option named {@code name} (after the prefix), or null. */
    static Option option(String name) {
        for (Option o : OPTIONS) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** The given value of option {@code name}, lower-cased, or its default; anything else is an error. */
    private static String choice(Map<String, String> given, String name) {
        Option o = option(name);
        String raw = given.get(name);
        if (raw == null) {
            return o.defaultValue();
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (o.values().contains(v)) {
            return v;
        }
        String note = o.retired().get(v);
        throw new IllegalArgumentException("-D" + o.property() + "=" + raw + " is not a choice: use " + either(o.values())
                + (note == null ? "" : " (" + note + ")"));
    }

    private static String unknown(String name) {
        String near = null;
        int best = Integer.MAX_VALUE;
        for (Option o : OPTIONS) {
            int d = o.name().equalsIgnoreCase(name) ? 0 : distance(o.name().toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
            if (d < best) {
                best = d;
                near = o.name();
            }
        }
        List<String> names = new ArrayList<>();
        for (Option o : OPTIONS) {
            names.add(o.name());
        }
        return "-D" + PREFIX + name + " is not an option of the CUDA backend"
                + (best <= 3 ? " (did you mean -D" + PREFIX + near + "?)" : "")
                + "; the options are " + String.join(", ", names) + " (docs/architecture.md, Options)";
    }

    /** "a, b or c". */
    private static String either(List<String> values) {
        return values.size() == 1 ? values.getFirst()
                : String.join(", ", values.subList(0, values.size() - 1)) + " or " + values.getLast();
    }

    /** Levenshtein distance, for suggesting the option a typo meant. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
