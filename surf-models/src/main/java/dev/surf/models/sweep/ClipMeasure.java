package dev.surf.models.sweep;

/**
 * What the prompt-set sweep measured for one sample and one k.
 *
 * @param k             steps at the base resolution (k = steps: the baseline itself)
 * @param sample        index of the sample (prompt, seed) in the study's list
 * @param seconds       sampling wall time (all stages; decoding excluded)
 * @param decodeSeconds wall time of decoding the latent to pixels
 * @param tflops        FLOPs of the sampling, in TFLOP
 * @param psnr          PSNR (dB, [0, 1] scale) of the decoded clip, upsampled to the base size, against the decoded baseline
 * @param ssim          SSIM of the same pair
 * @param colour        whether the checker names the prompt's colour in the decoded clip
 * @param motion        whether the checker finds the prompt's motion direction
 * @param follows       the checker's whole verdict (colour, motion and a stated background)
 */
public record ClipMeasure(int k, int sample, double seconds, double decodeSeconds, double tflops, double psnr, double ssim,
                          boolean colour, boolean motion, boolean follows) {
}
