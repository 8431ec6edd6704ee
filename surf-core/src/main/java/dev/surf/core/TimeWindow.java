package dev.surf.core;

/**
 * Self-attention restricted to windows along time (spec/surf.md §3): the sequence is frame-major,
 * {@code tokensPerFrame} tokens per latent frame, and a window covers {@code windowFrames}
 * consecutive frames with the full H x W plane.
 *
 * <p>With a shift s > 0 the frames are first rolled cyclically so that shifted position
 * {@code f' = (f - s) mod frames}, windows are cut from the rolled order, and the frames that wrapped
 * around ({@code f < s}, now at the end) may not attend to the others in their window: they are not
 * neighbours in time. Every attention group is therefore a contiguous range of original frames, which
 * is what {@link #keyFrameStart}/{@link #keyFrameEnd} return; kernels never roll data physically.
 *
 * <p>When the window covers every frame ({@code windowFrames >= frames}) the shift is ignored (as in
 * Swin), so the attention is exactly global attention.
 */
public record TimeWindow(int frames, int tokensPerFrame, int windowFrames, int shiftFrames) {

    public TimeWindow {
        if (frames < 1 || tokensPerFrame < 1 || windowFrames < 1) {
            throw new IllegalArgumentException("time window needs frames, tokensPerFrame and windowFrames >= 1, got "
                    + frames + ", " + tokensPerFrame + ", " + windowFrames);
        }
        if (shiftFrames < 0 || shiftFrames >= windowFrames) {
            throw new IllegalArgumentException("time-window shift must be in [0, windowFrames=" + windowFrames
                    + "), got " + shiftFrames);
        }
    }

    /** The shift actually applied: 0 when one window covers all frames. */
    public int effectiveShift() {
        return windowFrames >= frames ? 0 : shiftFrames;
    }

    private int shifted(int f) {
        int s = effectiveShift();
        return Math.floorMod(f - s, frames);
    }

    private boolean wrapped(int f) {
        return f < effectiveShift();
    }

    /** First original frame that queries of frame f may attend to. */
    public int keyFrameStart(int f) {
        int s = effectiveShift();
        int w = shifted(f) / windowFrames;
        return wrapped(f) ? Math.max(w * windowFrames, frames - s) - (frames - s) : w * windowFrames + s;
    }

    /** One past the last original frame that queries of frame f may attend to. */
    public int keyFrameEnd(int f) {
        int s = effectiveShift();
        int w = shifted(f) / windowFrames;
        return wrapped(f)
                ? Math.min((w + 1) * windowFrames, frames) - (frames - s)
                : Math.min((w + 1) * windowFrames, frames - s) + s;
    }

    /** Position of frame f inside its window (in the rolled order): the frame coordinate RoPE uses. */
    public int localFrame(int f) {
        return shifted(f) % windowFrames;
    }

    /** Total number of tokens, frames x tokensPerFrame. */
    public long tokens() {
        return (long) frames * tokensPerFrame;
    }
}
