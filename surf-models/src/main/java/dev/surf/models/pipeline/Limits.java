package dev.surf.models.pipeline;

import dev.surf.models.sched.FlowSchedule;

/**
 * Bounds on what a request may ask for, checked up front so that an absurd value ends in one line
 * giving the bound instead of minutes of work and an out-of-memory error. They are far above any
 * useful setting: the official models run 50 steps at 832x480 or 1280x720 with 81 frames.
 */
public final class Limits {
    /** Sampling steps: a flow schedule has {@value FlowSchedule#NUM_TRAIN_TIMESTEPS} training timesteps; more steps repeat them. */
    public static final int MAX_STEPS = FlowSchedule.NUM_TRAIN_TIMESTEPS;
    /** Width or height in pixels (8K; the DiT's position table and the VAE have no use for more). */
    public static final int MAX_SIDE = 8192;
    /** Video frames (4n+1): about a minute at Wan's 16 fps. */
    public static final int MAX_FRAMES = 1001;
    /** Previews from one command. */
    public static final int MAX_PREVIEWS = 100;
    /** Frames per second of a written video. */
    public static final double MAX_FPS = 1000;

    private Limits() {
    }

    /** Checks a step count (named {@code what} in the message). */
    public static int steps(String what, int steps) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException(what + " must be in [1, " + MAX_STEPS + "], got " + steps);
        }
        return steps;
    }

    /** Checks a frame rate. */
    public static double fps(double fps) {
        if (!(fps > 0) || fps > MAX_FPS) {
            throw new IllegalArgumentException("fps must be in (0, " + (int) MAX_FPS + "], got " + fps);
        }
        return fps;
    }
}
