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

    public static String csvHeader() {
        return "k,sample,seed,prompt,sample_s,decode_s,tflop,psnr_db,ssim,colour,motion,follows";
    }

    /** The CSV line of this measure of sample c (the prompt quoted; an infinite PSNR written {@code inf}). */
    public String csv(SweepCase c) {
        return String.format(java.util.Locale.ROOT, "%d,%d,%d,\"%s\",%.4f,%.4f,%.6f,%s,%.6f,%d,%d,%d", k, sample, c.seed(),
                c.text().replace("\"", "\"\""), seconds, decodeSeconds, tflops, WorldSweepRow.db(psnr), ssim, colour ? 1 : 0,
                motion ? 1 : 0, follows ? 1 : 0);
    }
}
