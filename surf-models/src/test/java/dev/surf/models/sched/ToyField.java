package dev.surf.models.sched;

/** The conformance fixtures' fixed velocity field {@code v(x, sigma) = 0.8 x - 0.3 sin(2x) + 0.5 sigma}, on the host. */
final class ToyField {
    private ToyField() {
    }

    /** Evaluated in double per element and rounded once to float. */
    static float[] velocity(float[] x, float sigma) {
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = (float) (0.8 * x[i] - 0.3 * Math.sin(2.0 * x[i]) + 0.5 * sigma);
        }
        return v;
    }
}
