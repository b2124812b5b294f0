#include "core/weights/h5_file.hpp"

#include <algorithm>
#include <cstring>

namespace convscope::h5 {

namespace {

std::mutex& library_mutex() {
    static std::mutex m;
    return m;
}

// " (HDF5: <reason>)" when HDF5 left a reason on its error stack, else "".
std::string reason() {
    std::string r = last_error();
    return r.empty() ? std::string() : " (HDF5: " + r + ")";
}

Id attribute_open(hid_t object, const std::string& name) {
    Id a(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a.valid()) throw Error("cannot open attribute \"" + name + "\"" + reason());
    return a;
}

std::vector<std::size_t> extent(hid_t space, const std::string& what) {
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) throw Error("cannot read the shape of " + what + reason());
    std::vector<hsize_t> dims(std::size_t(rank), 0);
    if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        throw Error("cannot read the shape of " + what + reason());
    return std::vector<std::size_t>(dims.begin(), dims.end());
}

std::size_t element_count(hid_t space, const std::string& what) {
    const H5S_class_t kind = H5Sget_simple_extent_type(space);
    if (kind == H5S_NULL) return 0;
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0) throw Error("cannot count the elements of " + what + reason());
    return std::size_t(n);
}

// The text of a fixed-length string cell: up to the first NUL, without space padding.
std::string fixed_cell(const char* cell, std::size_t size, H5T_str_t pad) {
    std::size_t n = 0;
    while (n < size && cell[n] != '\0') ++n;
    if (pad == H5T_STR_SPACEPAD)
        while (n > 0 && cell[n - 1] == ' ') --n;
    return std::string(cell, n);
}

Id simple_space(const std::vector<std::size_t>& shape) {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    Id space(shape.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
             H5Sclose);
    if (!space.valid()) throw Error("cannot create a dataspace" + reason());
    return space;
}

}  // namespace

Lock::Lock() : guard_(library_mutex()) {
    // Per thread in thread-safe builds of libhdf5, so it is set on every entry, not once.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Id& Id::operator=(Id&& o) noexcept {
    if (this != &o) {
        reset();
        id_ = o.id_;
        closer_ = o.closer_;
        o.id_ = H5I_INVALID_HID;
    }
    return *this;
}

bool Id::close() {
    if (id_ < 0) return true;
    const herr_t status = closer_(id_);
    id_ = H5I_INVALID_HID;
    return status >= 0;
}

void Id::reset() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = H5I_INVALID_HID;
}

static void (*g_step_observer)(const std::string&) = nullptr;

void set_step_observer(void (*observer)(const std::string& what)) { g_step_observer = observer; }

void step(const std::string& what) {
    if (g_step_observer) g_step_observer(what);
}

std::string last_error() {
    // Entry 0 of an upward walk is where HDF5 first noticed the problem ("truncated file: eof = ...").
    std::string found;
    auto visit = [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        auto* text = static_cast<std::string*>(out);
        if (text->empty() && e->desc && e->desc[0]) *text = e->desc;
        (void)n;
        return 0;
    };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &found);
    return found;
}

bool has_attribute(hid_t object, const std::string& name) {
    const htri_t r = H5Aexists(object, name.c_str());
    if (r < 0) throw Error("cannot look up attribute \"" + name + "\"" + reason());
    return r > 0;
}

std::vector<std::string> read_strings(hid_t object, const std::string& attribute) {
    const std::string what = "attribute \"" + attribute + "\"";
    Id attr = attribute_open(object, attribute);
    Id type(H5Aget_type(attr.get()), H5Tclose);
    Id space(H5Aget_space(attr.get()), H5Sclose);
    if (!type.valid() || !space.valid()) throw Error("cannot read the type of " + what + reason());
    const std::size_t count = element_count(space.get(), what);
    if (count == 0) return {};  // Keras writes an empty list as np.asarray([]), a float64 array
    if (H5Tget_class(type.get()) != H5T_STRING) throw Error(what + " does not hold strings");

    std::vector<std::string> out;
    out.reserve(count);
    const htri_t variable = H5Tis_variable_str(type.get());
    if (variable < 0) throw Error("cannot read the type of " + what + reason());
    if (variable > 0) {
        Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
        // Same character set as stored: libhdf5 will not convert ASCII <-> UTF-8.
        if (!mem.valid() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
            H5Tset_cset(mem.get(), H5Tget_cset(type.get())) < 0)
            throw Error("cannot prepare to read " + what + reason());
        std::vector<char*> cells(count, nullptr);
        if (H5Aread(attr.get(), mem.get(), cells.data()) < 0) throw Error("cannot read " + what + reason());
        for (char* c : cells) out.emplace_back(c ? c : "");
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, cells.data());
    } else {
        const std::size_t size = H5Tget_size(type.get());
        if (size == 0) throw Error("cannot read the string size of " + what + reason());
        const H5T_str_t pad = H5Tget_strpad(type.get());
        std::vector<char> buffer(size * count, '\0');
        if (H5Aread(attr.get(), type.get(), buffer.data()) < 0) throw Error("cannot read " + what + reason());
        for (std::size_t i = 0; i < count; ++i) out.push_back(fixed_cell(buffer.data() + i * size, size, pad));
    }
    return out;
}

std::vector<std::size_t> dataset_shape(hid_t location, const std::string& path) {
    Id set(H5Dopen2(location, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.valid()) throw Error("cannot open dataset \"" + path + "\"" + reason());
    Id space(H5Dget_space(set.get()), H5Sclose);
    if (!space.valid()) throw Error("cannot read the shape of dataset \"" + path + "\"" + reason());
    return extent(space.get(), "dataset \"" + path + "\"");
}

bool read_float_array(hid_t location, const std::string& path, float* values, std::size_t count) {
    const std::string what = "dataset \"" + path + "\"";
    Id set(H5Dopen2(location, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.valid()) throw Error("cannot open " + what + reason());
    Id type(H5Dget_type(set.get()), H5Tclose);
    Id space(H5Dget_space(set.get()), H5Sclose);
    if (!type.valid() || !space.valid()) throw Error("cannot read the type of " + what + reason());
    if (H5Tget_class(type.get()) != H5T_FLOAT)
        throw Error(what + " does not hold floating-point numbers (Keras weights are float32 or float64)");
    if (element_count(space.get(), what) != count) return false;
    // HDF5 converts float64 (or float16) to the memory type as it reads.
    if (count > 0 && H5Dread(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
        throw Error("cannot read " + what + reason());
    return true;
}

void write_fixed_strings(hid_t object, const std::string& attribute, const std::vector<std::string>& values) {
    std::size_t size = 1;  // numpy's "S" dtype is at least one byte wide
    for (const auto& v : values) size = std::max(size, v.size());
    std::vector<char> buffer(size * values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) std::memcpy(buffer.data() + i * size, values[i].data(), values[i].size());

    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), size) < 0 || H5Tset_strpad(type.get(), H5T_STR_NULLPAD) < 0 ||
        H5Tset_cset(type.get(), H5T_CSET_ASCII) < 0)
        throw Error("cannot make a string type for attribute \"" + attribute + "\"" + reason());
    Id space = simple_space({values.size()});
    Id attr(H5Acreate2(object, attribute.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), buffer.data()) < 0)
        throw Error("cannot write attribute \"" + attribute + "\"" + reason());
}

void write_fixed_string(hid_t object, const std::string& attribute, const std::string& value) {
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), std::max<std::size_t>(1, value.size())) < 0 ||
        H5Tset_strpad(type.get(), H5T_STR_NULLPAD) < 0 || H5Tset_cset(type.get(), H5T_CSET_ASCII) < 0)
        throw Error("cannot make a string type for attribute \"" + attribute + "\"" + reason());
    Id space = simple_space({});
    std::vector<char> cell(std::max<std::size_t>(1, value.size()), '\0');
    std::copy(value.begin(), value.end(), cell.begin());
    Id attr(H5Acreate2(object, attribute.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), cell.data()) < 0)
        throw Error("cannot write attribute \"" + attribute + "\"" + reason());
}

void write_empty_list(hid_t object, const std::string& attribute) {
    Id space = simple_space({0});
    Id attr(H5Acreate2(object, attribute.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) throw Error("cannot write attribute \"" + attribute + "\"" + reason());
}

void write_float_array(hid_t location, const std::string& path, const std::vector<std::size_t>& shape,
                       const float* values) {
    Id links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    if (!links.valid() || H5Pset_create_intermediate_group(links.get(), 1) < 0)
        throw Error("cannot prepare dataset \"" + path + "\"" + reason());
    Id space = simple_space(shape);
    Id set(H5Dcreate2(location, path.c_str(), H5T_IEEE_F32LE, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
           H5Dclose);
    if (!set.valid()) throw Error("cannot create dataset \"" + path + "\"" + reason());
    if (H5Dwrite(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
        throw Error("cannot write dataset \"" + path + "\"" + reason());
}

}  // namespace convscope::h5
