#include "core/export/npy.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/limits.hpp"
#include "core/read_file.hpp"

namespace convscope {

// The format (numpy.lib.format): the magic "\x93NUMPY", a major and a minor version byte, the header
// length (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), then the header: a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (H, W, C), } padded with spaces and ending in
// '\n' so that the data starts at a multiple of 64 bytes; then the raw values.

namespace {

const char k_magic[] = "\x93NUMPY";
constexpr std::size_t k_magic_len = 6;

bool little_endian_host() {
    const std::uint16_t one = 1;
    std::uint8_t first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

// The numpy name of a dtype string such as "<f8", for messages.
std::string dtype_name(const std::string& descr) {
    if (descr.size() < 2) return "unknown";
    const std::string kind_size = descr.substr(1);
    static const struct { const char* code; const char* name; } names[] = {
        {"f2", "float16"}, {"f4", "float32"}, {"f8", "float64"}, {"f16", "float128"}, {"i1", "int8"},
        {"i2", "int16"}, {"i4", "int32"}, {"i8", "int64"}, {"u1", "uint8"}, {"u2", "uint16"},
        {"u4", "uint32"}, {"u8", "uint64"}, {"b1", "bool"}, {"c8", "complex64"}, {"c16", "complex128"},
        {"O", "object"}};
    for (const auto& n : names)
        if (kind_size == n.code) return n.name;
    if (kind_size[0] == 'U') return "unicode string";
    if (kind_size[0] == 'S') return "byte string";
    return "unknown";
}

// A tiny reader for the header's Python literal; `name` starts every message.
struct HeaderParser {
    const std::string& text;
    const std::string& name;
    std::size_t pos = 0;

    [[noreturn]] void fail(const std::string& what) const {
        throw InputError(name + ": the .npy header is malformed (" + what + "): " + echo(text));
    }
    void skip_space() {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n')) ++pos;
    }
    bool accept(char c) {
        skip_space();
        if (pos < text.size() && text[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!accept(c)) fail(std::string("expected '") + c + "'");
    }
    std::string string_literal() {
        skip_space();
        if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"')) fail("expected a quoted string");
        const char quote = text[pos++];
        const std::size_t end = text.find(quote, pos);
        if (end == std::string::npos) fail("unterminated string");
        std::string s = text.substr(pos, end - pos);
        pos = end + 1;
        return s;
    }
    // The raw text of a value we do not interpret (a structured dtype list), up to the next top-level ','.
    std::string raw_value() {
        skip_space();
        const std::size_t start = pos;
        int depth = 0;
        for (; pos < text.size(); ++pos) {
            const char c = text[pos];
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) break;
                --depth;
            }
            if (c == ',' && depth == 0) break;
        }
        return text.substr(start, pos - start);
    }
    std::vector<std::size_t> tuple_of_ints() {
        expect('(');
        std::vector<std::size_t> dims;
        while (!accept(')')) {
            skip_space();
            std::size_t v = 0;
            const std::size_t start = pos;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                if (v > (std::numeric_limits<std::size_t>::max() - 9) / 10) fail("a dimension is too large");
                v = v * 10 + std::size_t(text[pos++] - '0');
            }
            if (pos < text.size() && text[pos] == 'L') ++pos;  // Python 2 longs
            if (pos == start) fail("a dimension is not a non-negative integer");
            dims.push_back(v);
            if (!accept(',')) {
                expect(')');
                break;
            }
        }
        return dims;
    }
};

struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::size_t> shape;
};

Header parse_header(const std::string& text, const std::string& name) {
    HeaderParser p{text, name};
    Header h;
    bool have_descr = false, have_order = false, have_shape = false;
    p.expect('{');
    while (!p.accept('}')) {
        const std::string key = p.string_literal();
        p.expect(':');
        if (key == "descr") {
            p.skip_space();
            if (p.pos < text.size() && (text[p.pos] == '\'' || text[p.pos] == '"'))
                h.descr = p.string_literal();
            else
                h.descr = p.raw_value();  // a structured dtype: a list of fields
            have_descr = true;
        } else if (key == "fortran_order") {
            p.skip_space();
            if (text.compare(p.pos, 4, "True") == 0) {
                h.fortran_order = true;
                p.pos += 4;
            } else if (text.compare(p.pos, 5, "False") == 0) {
                p.pos += 5;
            } else {
                p.fail("fortran_order is neither True nor False");
            }
            have_order = true;
        } else if (key == "shape") {
            h.shape = p.tuple_of_ints();
            have_shape = true;
        } else {
            p.raw_value();  // numpy readers ignore keys they do not know
        }
        if (!p.accept(',')) {
            p.expect('}');
            break;
        }
    }
    if (!have_descr) p.fail("no 'descr' key");
    if (!have_order) p.fail("no 'fortran_order' key");
    if (!have_shape) p.fail("no 'shape' key");
    return h;
}

std::uint32_t read_le(const std::uint8_t* p, int bytes) {
    std::uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// What the preamble and the header say: where the data starts, how many values, in which order.
struct Layout {
    Header header;
    std::size_t data_at = 0;
    std::size_t count = 0;
    bool big_endian_data = false;
};

// The header's length from the preamble; `bytes` holds at least the first k_preamble_max bytes or the whole file.
constexpr std::size_t k_preamble_max = k_magic_len + 2 + 4;

std::size_t header_length(const std::uint8_t* bytes, std::size_t size, const std::string& name, std::size_t& len_at) {
    if (size == 0) throw InputError(name + ": the file is empty; expected a NumPy .npy file");
    if (size < k_magic_len || std::memcmp(bytes, k_magic, k_magic_len) != 0)
        throw InputError(name + ": not a NumPy .npy file (it does not start with \\x93NUMPY)");
    if (size < k_magic_len + 2 + 2) throw InputError(name + ": truncated inside the .npy preamble");
    const int major = bytes[6], minor = bytes[7];
    std::size_t len_bytes = 0;
    if (major == 1)
        len_bytes = 2;
    else if (major == 2 || major == 3)
        len_bytes = 4;
    else
        throw InputError(name + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                         " is not supported (1.0, 2.0 and 3.0 are)");
    if (size < k_magic_len + 2 + len_bytes) throw InputError(name + ": truncated inside the .npy preamble");
    len_at = k_magic_len + 2 + len_bytes;
    return read_le(bytes + 8, int(len_bytes));
}

// Parses the header in `text` and checks the values it promises against the file's size, before any data is read.
Layout parse_layout(const std::string& text, std::size_t data_at, std::size_t file_size, const std::string& name) {
    Layout l;
    l.header = parse_header(text, name);
    l.data_at = data_at;
    const std::string& descr = l.header.descr;
    const bool is_f4 = descr == "<f4" || descr == ">f4" || descr == "=f4" || descr == "f4";
    if (!is_f4) {
        if (!descr.empty() && (descr[0] == '[' || descr[0] == '('))
            throw InputError(name + ": dtype is a structured record " + echo(descr) + ", expected float32 (<f4)");
        throw InputError(name + ": dtype is " + echo(descr) + " (" + dtype_name(descr) + "), expected float32 (<f4)");
    }
    l.big_endian_data = descr[0] == '>' || (descr[0] == '=' && !little_endian_host());
    std::size_t count = 1;
    for (std::size_t d : l.header.shape) {
        if (d != 0 && count > std::numeric_limits<std::size_t>::max() / 4 / d)
            throw InputError(name + ": shape " + echo(python_tuple(l.header.shape)) + " is too large");
        count *= d;
    }
    // A zero-sized axis makes count 0 even when another dimension is absurd: that is an empty array.
    l.count = count;
    const std::size_t available = (file_size - data_at) / 4;
    if (available < count)
        throw InputError(name + ": truncated: header promises " + std::to_string(count) + " values, file holds " +
                         std::to_string(available));
    return l;
}

// The values of a .npy whose `count` raw values start at `data`, in C order and host byte order.
NpyArray finish_npy(const Layout& l, const std::uint8_t* data) {
    NpyArray a;
    a.shape = l.header.shape;
    const std::size_t count = l.count;
    std::vector<float> raw(count);
    if (count > 0) std::memcpy(raw.data(), data, count * 4);  // never memcpy from or to null, even for 0 bytes
    if (l.big_endian_data == little_endian_host())
        for (float& v : raw) {
            std::uint8_t b[4];
            std::memcpy(b, &v, 4);
            std::swap(b[0], b[3]);
            std::swap(b[1], b[2]);
            std::memcpy(&v, b, 4);
        }
    if (!l.header.fortran_order || a.shape.size() < 2) {
        a.values = std::move(raw);
        return a;
    }
    // Fortran order: the first axis varies fastest. Reorder into C order.
    a.values.resize(count);
    const std::size_t rank = a.shape.size();
    std::vector<std::size_t> index(rank, 0);
    for (std::size_t f = 0; f < count; ++f) {
        std::size_t c = 0;
        for (std::size_t k = 0; k < rank; ++k) c = c * a.shape[k] + index[k];
        a.values[c] = raw[f];
        for (std::size_t k = 0; k < rank; ++k) {  // next Fortran-order index
            if (++index[k] < a.shape[k]) break;
            index[k] = 0;
        }
    }
    return a;
}

// load_npy(), and the rank must be `rank`; `axes` names the axes for the message, e.g. "H, W, C".
NpyArray load_npy_array(const std::string& path, std::size_t rank, const std::string& axes) {
    NpyArray a = load_npy(path);
    if (a.shape.size() != rank)
        throw InputError(path + ": " + std::to_string(a.shape.size()) +
                         (a.shape.size() == 1 ? " dimension " : " dimensions ") + python_tuple(a.shape) +
                         ", expected " + std::to_string(rank) + " (" + axes + ")");
    for (std::size_t d : a.shape)
        if (d == 0)
            throw InputError(path + ": shape " + python_tuple(a.shape) + " has an empty axis, expected (" + axes +
                             ") with every axis at least 1");
    return a;
}

}  // namespace

std::vector<std::uint8_t> encode_npy(const Tensor3& t, bool flat) {
    if (flat) return encode_npy_array(t.data(), {t.size()});
    return encode_npy_array(t.data(), {t.shape()[0], t.shape()[1], t.shape()[2]});
}

std::vector<std::uint8_t> encode_npy_array(const float* values, const std::vector<std::size_t>& shape) {
    std::size_t count = 1;
    for (std::size_t d : shape) count *= d;
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + python_tuple(shape) + ", }";
    // Version 1.0 stores the header length in 2 bytes; pad so that the data starts on a 64-byte boundary.
    const std::size_t unpadded = k_magic_len + 2 + 2 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';

    const std::size_t data_at = k_magic_len + 4 + header.size();
    std::vector<std::uint8_t> out(data_at + count * 4);
    std::memcpy(out.data(), k_magic, k_magic_len);
    out[6] = 1;  // version 1.0
    out[7] = 0;
    out[8] = std::uint8_t(header.size() & 0xff);
    out[9] = std::uint8_t(header.size() >> 8);
    std::memcpy(out.data() + 10, header.data(), header.size());
    if (count > 0) std::memcpy(out.data() + data_at, values, count * 4);  // row-major: C order
    if (!little_endian_host())
        for (std::size_t i = data_at; i < out.size(); i += 4) {
            std::swap(out[i], out[i + 3]);
            std::swap(out[i + 1], out[i + 2]);
        }
    return out;
}

void save_npy(const std::string& path, const Tensor3& t, bool flat) { write_file_atomic(path, encode_npy(t, flat)); }

NpyArray decode_npy(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    std::size_t len_at = 0;
    const std::size_t header_len = header_length(bytes, size, name, len_at);
    if (header_len > size - len_at)
        throw InputError(name + ": truncated: the header promises " + std::to_string(header_len) +
                         " header bytes, the file ends after " + std::to_string(size - len_at));
    const std::string text(reinterpret_cast<const char*>(bytes) + len_at, header_len);
    const Layout l = parse_layout(text, len_at + header_len, size, name);
    return finish_npy(l, bytes + l.data_at);
}

NpyArray load_npy(const std::string& path) {
    // The header is read and checked against the file's size first: a small header promising a small array
    // in a huge (or sparse) file costs only the array, and a FIFO or device is refused unread.
    const RegularFile file = RegularFile::open(path, "", "a .npy file");
    const std::size_t size = std::size_t(file.size());
    std::uint8_t preamble[k_preamble_max] = {};
    file.read(0, preamble, std::min(size, k_preamble_max));
    std::size_t len_at = 0;
    const std::size_t header_len = header_length(preamble, std::min(size, k_preamble_max), path, len_at);
    if (header_len > size - len_at)
        throw InputError(path + ": truncated: the header promises " + std::to_string(header_len) +
                         " header bytes, the file ends after " + std::to_string(size - len_at));
    std::string text(header_len, '\0');
    file.read(std::int64_t(len_at), text.data(), header_len);
    const Layout l = parse_layout(text, len_at + header_len, size, path);
    if (std::int64_t(l.count) > kMaxNpyBytes / 4)
        throw InputError(path + ": the array " + python_tuple(l.header.shape) + " would take " +
                         byte_size_text(std::int64_t(l.count) * 4) + "; a .npy may hold at most " +
                         byte_size_text(kMaxNpyBytes));
    std::vector<std::uint8_t> data(l.count * 4);
    file.read(std::int64_t(l.data_at), data.data(), data.size());
    return finish_npy(l, data.data());
}

Tensor3 load_npy_hwc(const std::string& path) {
    NpyArray a = load_npy_array(path, 3, "H, W, C");
    Tensor3 t = Tensor3::from_shape({a.shape[0], a.shape[1], a.shape[2]});  // (H, W, C)
    std::memcpy(t.data(), a.values.data(), a.values.size() * 4);
    return t;
}

xt::xtensor<float, 4> load_npy_kernel(const std::string& path) {
    NpyArray a = load_npy_array(path, 4, "kh, kw, in, out");
    xt::xtensor<float, 4> k = xt::xtensor<float, 4>::from_shape({a.shape[0], a.shape[1], a.shape[2], a.shape[3]});
    std::memcpy(k.data(), a.values.data(), a.values.size() * 4);  // (kh, kw, in, out)
    return k;
}

xt::xtensor<float, 1> load_npy_vector(const std::string& path) {
    NpyArray a = load_npy_array(path, 1, "C");
    xt::xtensor<float, 1> v = xt::xtensor<float, 1>::from_shape({a.shape[0]});  // (C,)
    std::memcpy(v.data(), a.values.data(), a.values.size() * 4);
    return v;
}

}  // namespace convscope
