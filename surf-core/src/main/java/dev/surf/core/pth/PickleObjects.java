package dev.surf.core.pth;

import java.util.List;

/**
 * The values the restricted pickle reader builds. Besides these it only produces plain data: String,
 * Long, Double, Boolean, null, byte[], java.util.List (pickle lists) and LinkedHashMap (dicts).
 */
final class PickleObjects {
    private PickleObjects() {
    }

    /** A pickle tuple (immutable). */
    record Tuple(List<Object> items) {
        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /** A reference to one of the few globals a tensor checkpoint may name; never resolved to code. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A storage persistent id: ('storage', torch.XStorage, key, location, numel). */
    record StorageRef(String key, String type, String location, long numel) {
    }

    /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...): a tensor view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }
}
