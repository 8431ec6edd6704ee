package dev.surf.models.t5;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The umT5 tokenizer of the official pipeline (google/umt5-xxl, a SentencePiece unigram model) with its
 * call options, spec/wan21.md §5.2: the prompt is cleaned ({@link PromptCleaner}), encoded with EOS
 * appended, truncated to the text length (EOS kept; a warning says so) and padded with id 0.
 *
 * <p>Why this library: the official code calls transformers' {@code AutoTokenizer}, which for
 * google/umt5-xxl is the fast tokenizer, i.e. Hugging Face's Rust {@code tokenizers} reading
 * {@code tokenizer.json} (normalizer with the precompiled SentencePiece charsmap, Metaspace
 * pre-tokenizer, unigram Viterbi, the EOS template). DJL's {@code ai.djl.huggingface:tokenizers}
 * binds that same Rust code through JNI, so the ids are those of the official pipeline by
 * construction rather than by re-implementation. It is maintained (Amazon's DJL, Apache-2.0, on Maven
 * Central) and ships its native library inside the jar for linux x86_64 and aarch64, macOS arm64 and
 * Windows x64, so it works offline; it extracts it once to {@code ~/.djl.ai} (or {@code DJL_CACHE_DIR}).
 * A SentencePiece binding reading {@code spiece.model} would give the slow tokenizer's ids, which the
 * official run does not use; no maintained pure-Java unigram tokenizer reads {@code tokenizer.json}.
 *
 * <p>Thread-safety: encode and decode may be called from several threads.
 */
public final class UmT5Tokenizer implements AutoCloseable {
    /** The token id T5 pads with. */
    public static final int PAD_ID = 0;

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int textLen;

    private UmT5Tokenizer(HuggingFaceTokenizer tokenizer, Path file, int textLen) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.textLen = textLen;
    }

    /** The tokenizer of a google/umt5-xxl folder (or its tokenizer.json) with the official text length 512. */
    public static UmT5Tokenizer open(Path folderOrFile) throws IOException {
        return open(folderOrFile, UmT5Config.TEXT_LEN);
    }

    /** The tokenizer with prompts padded and truncated to textLen tokens (EOS included). */
    public static UmT5Tokenizer open(Path folderOrFile, int textLen) throws IOException {
        if (textLen < 1) {
            throw new IllegalArgumentException("text length must be >= 1, got " + textLen);
        }
        Path file = Files.isDirectory(folderOrFile) ? folderOrFile.resolve("tokenizer.json") : folderOrFile;
        if (!Files.isRegularFile(file)) {
            String hint = Files.isDirectory(folderOrFile) && Files.exists(folderOrFile.resolve("spiece.model"))
                    ? " (the folder has spiece.model only: this engine reads the fast tokenizer's tokenizer.json, which the "
                    + "official google/umt5-xxl folder ships; transformers writes one with "
                    + "AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR))"
                    : "";
            throw new IOException("umT5 tokenizer: " + file + " not found" + hint);
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(true)
                    .optTruncation(true)
                    .optMaxLength(textLen)
                    .optPadding(false)
                    .build();
            return new UmT5Tokenizer(t, file, textLen);
        } catch (IOException e) {
            throw new IOException("umT5 tokenizer: cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // malformed JSON, an unknown model type, or the native library failing to load
            throw new IOException("umT5 tokenizer: cannot load " + file + ": " + rootMessage(e), e);
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("umT5 tokenizer: DJL's native tokenizers library does not load on this platform ("
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + e.getMessage(), e);
        }
    }

    /** Tokens per prompt after padding/truncation. */
    public int textLen() {
        return textLen;
    }

    /** The tokenizer.json in use. */
    public Path file() {
        return file;
    }

    /**
     * Cleans and tokenizes a prompt as the official pipeline does. The empty prompt gives EOS alone
     * (n_real = 1). A prompt longer than the text length is cut, keeping EOS last, and warnings is told.
     */
    public TokenizedPrompt encode(String prompt, Consumer<String> warnings) {
        String cleaned = PromptCleaner.clean(prompt);
        Encoding e = tokenizer.encode(cleaned);
        long[] raw = e.getIds();
        boolean truncated = e.exceedMaxLength();
        if (truncated && warnings != null) {
            warnings.accept("prompt truncated to " + textLen + " tokens (EOS included), as the official pipeline does: "
                    + "the end of the prompt is ignored");
        }
        if (raw.length > textLen || raw.length == 0) {
            throw new IllegalStateException("umT5 tokenizer returned " + raw.length + " ids with truncation to " + textLen);
        }
        int[] ids = new int[textLen];
        for (int i = 0; i < raw.length; i++) {
            ids[i] = Math.toIntExact(raw[i]);
        }
        return new TokenizedPrompt(cleaned, ids, raw.length, truncated);
    }

    /** The text of token ids, special tokens (pad, EOS) skipped. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c + ")";
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
