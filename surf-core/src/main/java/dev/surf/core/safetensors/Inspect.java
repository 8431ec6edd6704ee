package dev.surf.core.safetensors;

import dev.surf.core.io.TerminalText;
import dev.surf.core.weights.TensorArchive;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensor listing of {@code surf inspect PATH}, for any container. The checkpoint's key naming
 * (a model matter) is told by surf-models, which prints it above these lines.
 */
public final class Inspect {
    private Inspect() {
    }

    /**
     * The lines to print: {@code files: N, tensors: M, bytes: B}, then one
     * line per tensor in store order, {@code name  dtype  [d0, d1, ...]} with the name and dtype
     * columns padded to a common width. Unsupported dtypes are listed by their stored name. Control
     * characters in names are escaped ({@link TerminalText}): a crafted file cannot drive the terminal.
     */
    public static List<String> describe(TensorArchive s) {
        List<String> names = s.names();
        int nameWidth = 0;
        int dtypeWidth = 0;
        long bytes = 0;
        for (String n : names) {
            TensorInfo t = s.info(n);
            nameWidth = Math.max(nameWidth, TerminalText.escape(n).length());
            dtypeWidth = Math.max(dtypeWidth, TerminalText.escape(t.dtypeName()).length());
            bytes += t.byteSize();
        }
        List<String> lines = new ArrayList<>(names.size() + 1);
        lines.add("files: " + s.files().size() + ", tensors: " + names.size() + ", bytes: " + bytes);
        for (String n : names) {
            TensorInfo t = s.info(n);
            lines.add(pad(TerminalText.escape(n), nameWidth) + "  " + pad(TerminalText.escape(t.dtypeName()), dtypeWidth) + "  " + t.shape());
        }
        return lines;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
