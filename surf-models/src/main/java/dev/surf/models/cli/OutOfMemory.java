package dev.surf.models.cli;

import dev.surf.core.io.TerminalText;
import java.util.List;
import java.util.Locale;

/**
 * The one line printed when the JVM runs out of heap: what was asked for (the size options of the
 * command line) and how to give the JVM more, instead of an OutOfMemoryError trace.
 */
final class OutOfMemory {
    /** The options that decide how much memory a run needs. */
    private static final List<String> SIZE_FLAGS = List.of("--size", "--frames", "--refine-to", "--previews", "--steps");

    private OutOfMemory() {
    }

    static String message(String command, String[] args, long maxHeap) {
        StringBuilder asked = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            for (String f : SIZE_FLAGS) {
                if (a.equals(f) && i + 1 < args.length) {
                    asked.append(' ').append(f).append(' ').append(TerminalText.escape(args[i + 1]));
                } else if (a.startsWith(f + "=")) {
                    asked.append(' ').append(TerminalText.escape(a));
                }
            }
        }
        long physical = physicalMemory();
        String suggest = physical > 0 ? String.format(Locale.ROOT, "-Xmx%dg", Math.max(1, physical * 3 / 4 >> 30)) : "-Xmx16g";
        return String.format(Locale.ROOT, "surf %s: error: out of memory: the JVM heap (at most %.1f GiB) is too small for this run%s;"
                + " give the JVM more with SURF_JAVA_OPTS=%s%s, or ask for less", command, maxHeap / (double) (1L << 30),
                asked.isEmpty() ? "" : " (" + asked.toString().trim() + ")", suggest,
                physical > 0 ? String.format(Locale.ROOT, " (this machine has %.0f GiB)", physical / (double) (1L << 30)) : "");
    }

    private static long physicalMemory() {
        try {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
