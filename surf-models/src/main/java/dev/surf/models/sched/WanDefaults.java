package dev.surf.models.sched;

/**
 * Sampling defaults of the official Wan 2.1 text-to-video pipeline ({@code generate.py},
 * {@code wan/configs/shared_config.py}; spec/wan21.md §3.2).
 *
 * @param steps      {@code sample_steps}
 * @param shift      {@code sample_shift}
 * @param guideScale {@code sample_guide_scale} (CFG multiplies in float32: pass {@code (float) guideScale})
 * @param solver     {@code sample_solver}
 * @param frameNum   {@code frame_num} (4n+1)
 * @param fps        {@code sample_fps}
 */
public record WanDefaults(int steps, double shift, double guideScale, SolverKind solver, int frameNum, int fps) {

    /** {@code generate.py} defaults for t2v, any model size: 50 steps, shift 5, guide 5, UniPC, 81 frames, 16 fps. */
    public static final WanDefaults T2V = new WanDefaults(50, 5.0, 5.0, SolverKind.UNIPC, 81, 16);

    /** The README's advice for the 1.3B model (also its Gradio UI defaults): guide 6, shift 8. */
    public static final WanDefaults T2V_1_3B_README = new WanDefaults(50, 8.0, 6.0, SolverKind.UNIPC, 81, 16);

    /**
     * {@code sample_neg_prompt}, used when the negative prompt is empty (the default): 137 characters,
     * copied verbatim from {@code wan/configs/shared_config.py} of Wan-Video/Wan2.1. The README's English
     * list is a translation that tokenizes differently; official outputs need this string.
     */
    public static final String NEGATIVE_PROMPT_ZH = "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";
}
