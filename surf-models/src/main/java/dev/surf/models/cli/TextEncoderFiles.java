package dev.surf.models.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the umT5 encoder and its tokenizer are: given on the command line, or found in a Wan 2.1
 * checkpoint folder under the official names.
 *
 * @param t5        the encoder weights
 * @param tokenizer the tokenizer folder (with tokenizer.json)
 */
record TextEncoderFiles(Path t5, Path tokenizer) {
    /** The official encoder file in a Wan 2.1 checkpoint folder. */
    static final String T5_FILE = "models_t5_umt5-xxl-enc-bf16.pth";
    /** The official tokenizer folder in a Wan 2.1 checkpoint folder. */
    static final String TOKENIZER_DIR = "google/umt5-xxl";

    /**
     * The explicit paths, each completed from the model folder when absent there; null when neither is
     * given nor found. One found without the other is a user error naming what is missing.
     */
    static TextEncoderFiles resolve(Path t5, Path tokenizer, Path modelFolder) {
        boolean folder = modelFolder != null && Files.isDirectory(modelFolder);
        Path t = t5 != null ? t5 : folder && Files.isRegularFile(modelFolder.resolve(T5_FILE)) ? modelFolder.resolve(T5_FILE) : null;
        Path k = tokenizer != null ? tokenizer
                : folder && Files.isDirectory(modelFolder.resolve(TOKENIZER_DIR)) ? modelFolder.resolve(TOKENIZER_DIR) : null;
        if (t == null && k == null) {
            return null;
        }
        if (t == null) {
            throw new SurfCli.UserException("the umT5 tokenizer " + k + " needs the encoder weights too: give --t5 FILE ("
                    + T5_FILE + ")");
        }
        if (k == null) {
            throw new SurfCli.UserException("the umT5 encoder " + t + " needs its tokenizer too: give --tokenizer DIR (the "
                    + TOKENIZER_DIR + " folder with tokenizer.json)");
        }
        return new TextEncoderFiles(t, k);
    }
}
