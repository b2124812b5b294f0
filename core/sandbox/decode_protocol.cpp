#include "core/sandbox/decode_protocol.hpp"

#include <cstring>
#include <stdexcept>

namespace convscope::sandbox {

namespace {

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out += char((v >> (8 * i)) & 0xff);
}
void put_string(std::string& out, const std::string& s) {
    put_u64(out, s.size());
    out += s;
}

// A bounds-checked reader: every read past the end throws.
struct Reader {
    const std::uint8_t* p;
    std::size_t size;
    std::size_t at = 0;

    std::uint64_t u64() {
        if (size - at < 8) throw std::runtime_error("the weights structure ends early");
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | p[at + std::size_t(i)];
        at += 8;
        return v;
    }
    // A count of things each at least `min_bytes` long: no more than the bytes left can hold.
    std::size_t count(std::size_t min_bytes) {
        const std::uint64_t n = u64();
        if (n > (size - at) / min_bytes) throw std::runtime_error("the weights structure has an impossible count");
        return std::size_t(n);
    }
    std::string string() {
        const std::size_t n = count(1);
        std::string s(reinterpret_cast<const char*>(p + at), n);
        at += n;
        return s;
    }
};

}  // namespace

std::string encode_weights_structure(const KerasWeightsFile& f) {
    std::string out;
    put_u64(out, f.model_weights_group ? 1 : 0);
    put_string(out, f.keras_version);
    put_string(out, f.backend);
    put_u64(out, f.value_count);
    put_u64(out, f.layers.size());
    for (const KerasWeightsLayer& l : f.layers) {
        put_string(out, l.name);
        put_u64(out, l.weights.size());
        for (const KerasWeightsDataset& d : l.weights) {
            put_string(out, d.name);
            put_u64(out, d.shape.size());
            for (std::size_t dim : d.shape) put_u64(out, dim);
            put_u64(out, d.count);
            put_u64(out, d.offset);
        }
    }
    return out;
}

KerasWeightsFile decode_weights_structure(const std::uint8_t* bytes, std::size_t size) {
    Reader r{bytes, size};
    KerasWeightsFile f;
    f.model_weights_group = r.u64() != 0;
    f.keras_version = r.string();
    f.backend = r.string();
    f.value_count = std::size_t(r.u64());
    const std::size_t layers = r.count(16);
    f.layers.reserve(layers);
    for (std::size_t i = 0; i < layers; ++i) {
        KerasWeightsLayer l;
        l.name = r.string();
        const std::size_t weights = r.count(32);
        for (std::size_t k = 0; k < weights; ++k) {
            KerasWeightsDataset d;
            d.name = r.string();
            const std::size_t rank = r.count(8);
            std::uint64_t count = 1;
            for (std::size_t j = 0; j < rank; ++j) {
                const std::uint64_t dim = r.u64();
                if (dim != 0 && count > UINT64_MAX / dim) throw std::runtime_error("a dataset's shape overflows");
                count *= dim;
                d.shape.push_back(std::size_t(dim));
            }
            d.count = std::size_t(r.u64());
            d.offset = std::size_t(r.u64());
            if (d.count != count || d.offset > f.value_count || d.count > f.value_count - d.offset)
                throw std::runtime_error("a dataset's values lie outside the values sent");
            l.weights.push_back(std::move(d));
        }
        f.layers.push_back(std::move(l));
    }
    if (r.at != size) throw std::runtime_error("the weights structure has trailing bytes");
    return f;
}

}  // namespace convscope::sandbox
