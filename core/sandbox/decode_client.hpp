#pragma once
// Decoding files from anywhere in a separate, sandboxed process (convscope-decode), so that a crafted image
// or weights file that crashes or hangs stb_image or libhdf5 (both have known bugs of that kind) costs one
// clear error message, not the program. The decoder runs with an address-space, CPU-time and file-size
// limit, no core dump, no way to open files or start processes (seccomp), and a wall-clock timeout.
//
//   decode_image_file(path)            the image, decoded by stb_image in the decoder; InputError naming
//                                      the file: "x.png: the file is malformed: the image decoder crashed
//                                      (SIGSEGV) while reading the PNG data"
//   decode_keras_weights_file(path)    the weights file read by libhdf5 in the decoder (keras_h5_reader.hpp);
//                                      WeightsError starting "weights file x.h5"
//   decoder_path()                     where convscope-decode is: beside the running program, else in the
//                                      build tree it was built in; "" when neither exists
//   kImageDecodeLimits, kWeightsDecodeLimits   the limits, stated (see decode_client.cpp for why each)

#include <cstdint>
#include <string>

#include "core/image/image.hpp"
#include "core/weights/keras_h5_reader.hpp"

namespace convscope {

struct DecodeLimits {
    std::int64_t address_space_bytes;  // RLIMIT_AS of the decoder
    int cpu_seconds;                   // RLIMIT_CPU
    int wall_seconds;                  // killed after this long, whatever it is doing
    std::int64_t max_file_bytes;       // larger input files are refused unread
    std::int64_t max_result_bytes;     // RLIMIT_FSIZE: the most the decoder may send back
};
extern const DecodeLimits kImageDecodeLimits;
extern const DecodeLimits kWeightsDecodeLimits;

RgbImage decode_image_file(const std::string& path);
KerasWeightsFile decode_keras_weights_file(const std::string& path);

std::string decoder_path();

}  // namespace convscope
