package bnlab.io;

import java.util.Map;

/**
 * The contents of a safetensors file: tensors by name in file order, and the {@code __metadata__}
 * strings. Both maps are unmodifiable.
 */
public record SafeTensorsFile(Map<String, StoredTensor> tensors, Map<String, String> metadata) {}
