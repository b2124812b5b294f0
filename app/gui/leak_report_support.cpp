// AddressSanitizer builds of the GUI (the asan test stage): the OpenGL driver keeps some memory until exit, and
// at glfwTerminate() it is unloaded (Mesa's swrast_dri.so and the libraries it pulled in). LeakSanitizer then
// reports those blocks as leaked from "<unknown module>", which no suppression can name. Marking every library
// loaded so far as never-unloaded keeps the driver mapped at exit, so tests/sanitizers/lsan.supp can name it by
// its file, and a leak of convscope's own still fails the test. Other builds do nothing here.
#include "app/gui/leak_report_support.hpp"

#if defined(CONVSCOPE_ADDRESS_SANITIZER)
#include <dlfcn.h>
#include <link.h>

#include <string>
#include <vector>
#endif

namespace convscope::gui {

void keep_libraries_loaded_for_leak_reports() {
#if defined(CONVSCOPE_ADDRESS_SANITIZER)
    std::vector<std::string> names;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            if (info->dlpi_name && info->dlpi_name[0] == '/')
                static_cast<std::vector<std::string>*>(out)->push_back(info->dlpi_name);
            return 0;
        },
        &names);
    // RTLD_NOLOAD: only libraries already loaded; RTLD_NODELETE: never unmapped. The handle is dropped on
    // purpose: its reference is what keeps the library.
    for (const std::string& name : names) dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
#endif
}

}  // namespace convscope::gui
