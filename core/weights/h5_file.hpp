#pragma once
// A thin layer over the HDF5 C API: identifiers that close themselves, and the few reads and writes a
// Keras weights file needs. Every failure throws h5::Error with a sentence about the object involved
// (and HDF5's own innermost reason when it gave one); keras_h5.cpp adds the file name.
//
//   h5::Lock              serialises all HDF5 calls (Debian's serial libhdf5 is not thread-safe) and
//                         silences libhdf5's own printing of error stacks
//   h5::Id                an hid_t closed by its matching H5?close when it goes out of scope
//   h5::set_step_observer()  a function told, before each read of the file, what is read next
//   h5::step(what)        tells it (a crash in libhdf5 can then be reported as "while reading <what>")
//   h5::last_error()      the innermost description on HDF5's current error stack, or ""
//   has_attribute()       whether an object carries an attribute of that name
//   read_strings()        a string attribute as a list: fixed- or variable-length, array or scalar;
//                         an empty array of any type (Keras' np.asarray([])) reads as an empty list
//   read_float_array()    a dataset of any float type (float16/32/64) into a float32 buffer of its size,
//                         converted by HDF5
//   dataset_shape()       a dataset's dimensions without reading its data
//   write_fixed_strings() a 1-D attribute of fixed-length, null-padded ASCII strings (numpy "S<n>")
//   write_fixed_string()  a scalar fixed-length string attribute (numpy.bytes_; h5py reads it back as
//                         bytes, which Keras' loaders .decode())
//   write_empty_list()    a float64 attribute of shape (0,) (what h5py makes of Keras' empty lists)
//   write_float_array()   a float32 dataset, creating intermediate groups ("conv1/kernel:0")

#include <hdf5.h>

#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace convscope::h5 {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Lock {
public:
    Lock();

private:
    std::lock_guard<std::mutex> guard_;
};

class Id {
public:
    using Closer = herr_t (*)(hid_t);
    Id() = default;
    Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    ~Id() { reset(); }
    Id(Id&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
    Id& operator=(Id&& o) noexcept;
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now and reports whether HDF5 succeeded (for files, this is when data reaches the disk).
    bool close();

private:
    void reset();
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

void set_step_observer(void (*observer)(const std::string& what));
void step(const std::string& what);

std::string last_error();

bool has_attribute(hid_t object, const std::string& name);
std::vector<std::string> read_strings(hid_t object, const std::string& attribute);

std::vector<std::size_t> dataset_shape(hid_t location, const std::string& path);
// Reads the dataset into values[0, count), row-major (C order) as h5py and numpy store it; false, reading
// nothing, when the dataset does not hold exactly `count` values.
bool read_float_array(hid_t location, const std::string& path, float* values, std::size_t count);

void write_fixed_strings(hid_t object, const std::string& attribute, const std::vector<std::string>& values);
void write_fixed_string(hid_t object, const std::string& attribute, const std::string& value);
void write_empty_list(hid_t object, const std::string& attribute);
void write_float_array(hid_t location, const std::string& path, const std::vector<std::size_t>& shape,
                       const float* values);

}  // namespace convscope::h5
