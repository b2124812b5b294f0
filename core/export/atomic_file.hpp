#pragma once
// Files that are either completely written or not there at all.
//
//   ensure_directory(path)        create a folder and its missing parents; InputError when impossible
//                                 (a file is in the way, no permission, read-only file system ...)
//   write_file_atomic(path, ...)  write to "path.tmp-XXXXXX" in the same folder, flush to disk, rename()
//                                 over path; on any failure the temp file is removed and InputError names
//                                 the path and the system's reason. An existing file is replaced only on
//                                 success. A symbolic link is written through (its target file is replaced,
//                                 the link stays); any other path that is not a regular file (a folder, a
//                                 device, a named pipe, a link to nothing) is refused, never replaced.
//   create_temp_beside(path)      for a writer that needs a file name rather than bytes (a library that
//                                 writes its own file): a new empty "path.tmp-XXXXXX" in the same folder, so
//                                 that the final rename stays on one file system; InputError as above
//   replace_with_temp(temp, path) rename() temp over path; on failure temp is removed and InputError names
//                                 path and the reason
//   AtomicFileSet                 a set of files written all-or-nothing (every channel of a node as PNG,
//                                 every node of a block as .npy): add() writes each to a temp name at once,
//                                 commit() renames them all; if anything failed, or the set is destroyed
//                                 without commit(), every temp file is removed and no target is touched.
//
// The folder of a target must exist (call ensure_directory() first). Errors are InputError because a
// folder is something the user chose: the CLI turns them into one line on stderr and exit status 2.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace convscope {

// Returns the folders it created, outermost first (so a failed run can remove them again).
std::vector<std::string> ensure_directory(const std::string& path);

void write_file_atomic(const std::string& path, const void* data, std::size_t size);
void write_file_atomic(const std::string& path, const std::vector<std::uint8_t>& bytes);

std::string create_temp_beside(const std::string& path);
void replace_with_temp(const std::string& temp, const std::string& path);

class AtomicFileSet {
public:
    AtomicFileSet() = default;
    ~AtomicFileSet();  // removes the temp files of a set that was not committed
    AtomicFileSet(const AtomicFileSet&) = delete;
    AtomicFileSet& operator=(const AtomicFileSet&) = delete;

    // Writes the bytes to a temp file beside `path` now. On failure every temp file of the set is removed
    // and InputError is thrown; the set is then spent (commit() throws).
    void add(const std::string& path, const void* data, std::size_t size);
    void add(const std::string& path, const std::vector<std::uint8_t>& bytes);

    // Renames every temp file to its target and returns the targets in the order they were added. If a
    // rename fails, the files this set had already created are removed again and InputError is thrown.
    std::vector<std::string> commit();

private:
    struct Pending {
        std::string target;  // as the caller named it
        std::string file;    // what is replaced: target, or the file a symbolic link at target points to
        std::string temp;
    };
    void discard() noexcept;
    std::vector<Pending> pending_;
    bool spent_ = false;
};

}  // namespace convscope
