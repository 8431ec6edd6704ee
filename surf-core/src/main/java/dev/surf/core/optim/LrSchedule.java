package dev.surf.core.optim;

import java.util.Locale;

/**
 * A learning rate per optimizer step: a linear warm-up from 0 to {@code peak} over the first
 * {@code warmup} steps, then either constant at {@code peak} or a half cosine down to {@code floor}
 * at step {@code total} (and {@code floor} after it). Steps count from 1, like {@link AdamW#stepCount()}
 * after the step:
 * <pre>
 * s &lt;= warmup:            peak * s / warmup
 * constant, s > warmup:   peak
 * cosine, warmup &lt; s &lt;= total:  floor + (peak - floor) * (1 + cos(pi (s - warmup) / (total - warmup))) / 2
 * cosine, s > total:      floor
 * </pre>
 * A schedule is a pure function of the step, so a checkpoint only needs the step and {@link #spec()}.
 */
public final class LrSchedule {
    private final boolean cosine;
    private final double peak;
    private final long warmup;
    private final long total;
    private final double floor;

    private LrSchedule(boolean cosine, double peak, long warmup, long total, double floor) {
        if (!(peak >= 0) || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("learning rate schedule: peak must be finite and >= 0, got " + peak);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("learning rate schedule: warm-up steps must be >= 0, got " + warmup);
        }
        if (cosine && total <= warmup) {
            throw new IllegalArgumentException("learning rate schedule: total steps (" + total
                    + ") must exceed the warm-up steps (" + warmup + ")");
        }
        if (cosine && !(floor >= 0 && floor <= peak)) {
            throw new IllegalArgumentException("learning rate schedule: floor must lie in [0, peak=" + peak + "], got " + floor);
        }
        this.cosine = cosine;
        this.peak = peak;
        this.warmup = warmup;
        this.total = total;
        this.floor = floor;
    }

    /** Warm-up over {@code warmup} steps (0: none), then constant {@code peak}. */
    public static LrSchedule constant(double peak, long warmup) {
        return new LrSchedule(false, peak, warmup, 0, 0);
    }

    /** Warm-up over {@code warmup} steps, then a half cosine from {@code peak} to {@code floor} at step {@code total}. */
    public static LrSchedule cosine(double peak, long warmup, long total, double floor) {
        return new LrSchedule(true, peak, warmup, total, floor);
    }

    /** The learning rate of optimizer step {@code step} (1 for the first step). */
    public double at(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("learning rate schedule: steps count from 1, got " + step);
        }
        if (step <= warmup) {
            return peak * step / warmup;
        }
        if (!cosine) {
            return peak;
        }
        if (step >= total) {
            return floor;
        }
        double progress = (double) (step - warmup) / (total - warmup);
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /**
     * A one-line description that {@link #parse} turns back into an equal schedule, e.g.
     * {@code cosine peak=1.0E-4 warmup=100 total=10000 floor=1.0E-6} (doubles in Java's shortest
     * round-trip form, so nothing is lost).
     */
    public String spec() {
        return cosine
                ? String.format(Locale.ROOT, "cosine peak=%s warmup=%d total=%d floor=%s", peak, warmup, total, floor)
                : String.format(Locale.ROOT, "constant peak=%s warmup=%d", peak, warmup);
    }

    /** The schedule described by {@link #spec()}; a malformed text gives one line naming it. */
    public static LrSchedule parse(String spec) {
        String[] words = spec.trim().split("\\s+");
        try {
            if (words[0].equals("constant") && words.length == 3) {
                return constant(value(words[1], "peak"), Long.parseLong(text(words[2], "warmup")));
            }
            if (words[0].equals("cosine") && words.length == 5) {
                return cosine(value(words[1], "peak"), Long.parseLong(text(words[2], "warmup")),
                        Long.parseLong(text(words[3], "total")), value(words[4], "floor"));
            }
        } catch (NumberFormatException e) {
            // fall through to the one message below
        }
        throw new IllegalArgumentException("learning rate schedule '" + spec + "' is not of the form "
                + "'constant peak=P warmup=W' or 'cosine peak=P warmup=W total=T floor=F'");
    }

    private static double value(String word, String key) {
        return Double.parseDouble(text(word, key));
    }

    private static String text(String word, String key) {
        if (!word.startsWith(key + "=")) {
            throw new NumberFormatException(word);
        }
        return word.substring(key.length() + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LrSchedule s && s.spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
