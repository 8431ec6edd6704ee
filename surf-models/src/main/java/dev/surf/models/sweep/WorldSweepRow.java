package dev.surf.models.sweep;

import java.util.List;
import java.util.Locale;

/**
 * One k of the prompt-set sweep: the means over its samples.
 *
 * @param k             steps at the base resolution (k = steps is the baseline)
 * @param samples       number of (prompt, seed) samples
 * @param seconds       mean sampling seconds
 * @param decodeSeconds mean decoding seconds (not part of {@code seconds})
 * @param tflops        mean TFLOP of the sampling
 * @param psnr          mean PSNR in dB against the decoded baseline (+infinity when any sample is identical to its baseline)
 * @param ssim          mean SSIM against the decoded baseline
 * @param colourPercent share of samples whose colour the checker names as the prompt does, in percent
 * @param motionPercent share whose motion direction follows the prompt, in percent
 * @param followsPercent share the checker says follow the prompt entirely, in percent
 */
public record WorldSweepRow(int k, int samples, double seconds, double decodeSeconds, double tflops, double psnr, double ssim,
                            double colourPercent, double motionPercent, double followsPercent) {

    /** The row of k from its measures (all of that k). */
    public static WorldSweepRow of(int k, List<ClipMeasure> measures) {
        if (measures.isEmpty()) {
            throw new IllegalArgumentException("no samples for k = " + k);
        }
        int n = measures.size();
        double s = 0, d = 0, t = 0, p = 0, q = 0;
        int col = 0, mot = 0, all = 0;
        for (ClipMeasure m : measures) {
            if (m.k() != k) {
                throw new IllegalArgumentException("a measure of k = " + m.k() + " in the row of k = " + k);
            }
            s += m.seconds();
            d += m.decodeSeconds();
            t += m.tflops();
            p += m.psnr();
            q += m.ssim();
            col += m.colour() ? 1 : 0;
            mot += m.motion() ? 1 : 0;
            all += m.follows() ? 1 : 0;
        }
        return new WorldSweepRow(k, n, s / n, d / n, t / n, p / n, q / n, 100.0 * col / n, 100.0 * mot / n, 100.0 * all / n);
    }

    /** A PSNR for CSV: three decimals, or {@code inf}. */
    static String db(double psnr) {
        return Double.isInfinite(psnr) ? (psnr > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%.3f", psnr);
    }

    public static String csvHeader() {
        return "k,samples,sample_s,decode_s,tflop,psnr_db,ssim,colour_pct,motion_pct,follows_pct";
    }

    /** The CSV line; an infinite PSNR is written {@code inf}. */
    public String csv() {
        return String.format(Locale.ROOT, "%d,%d,%.4f,%.4f,%.6f,%s,%.6f,%.1f,%.1f,%.1f", k, samples, seconds, decodeSeconds, tflops,
                db(psnr), ssim,
                colourPercent, motionPercent, followsPercent);
    }
}
