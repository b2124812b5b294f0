#pragma once
// What `weights fetch` (and the GUI's "Get ImageNet weights") asks for, turned into a DownloadRequest:
//
//   FetchOptions   top: the file with the classifier; folder: where to store it ("" = convscope's cache);
//                  from: a mirror URL instead of the official one; md5: the checksum of a file from `from`
//   plan_fetch()   the request, or InputError naming the option and the rule:
//     - no `from`:  the official keras-applications file, checked against its published md5 (`md5` refused)
//     - `from` whose file name is an official one, or `from` with `top`: a mirror of the official file,
//                   checked against the official md5
//     - any other `from` needs `md5`; a file whose md5 is a known file's gets that file's name
//     - only http://, https:// and file:// URLs

#include <string>

#include "core/weights/download.hpp"

namespace convscope {

struct FetchOptions {
    bool top = false;
    std::string folder;
    std::string from;
    std::string md5;
};

DownloadRequest plan_fetch(const FetchOptions& options);

}  // namespace convscope
