package dev.surf.models.sweep;

/**
 * One point of a step-division sweep.
 *
 * @param k                steps at the base resolution (k = steps is the baseline)
 * @param signatureSeconds wall time of the base-resolution stage
 * @param previewSeconds   wall time of the low-resolution stage (0 for the baseline)
 * @param tflops           FLOPs of the run, in TFLOP
 * @param cosine           cosine similarity of the preview and the baseline latent downscaled to the preview size
 * @param psnr             PSNR (dB) of the same pair, peak = the baseline's dynamic range
 */
public record SweepRow(int k, double signatureSeconds, double previewSeconds, double tflops, double cosine, double psnr) {

    public double seconds() {
        return signatureSeconds + previewSeconds;
    }

    public static String csvHeader() {
        return "k,signature_s,preview_s,total_s,tflop,cosine,psnr_db";
    }

    public String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.6f,%.6f,%.3f", k, signatureSeconds, previewSeconds,
                seconds(), tflops, cosine, psnr);
    }
}
