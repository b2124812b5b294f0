#include "app/cli/commands.hpp"
namespace convscope::cli {
int cmd_run(Args&) { throw UsageError("not yet"); }
int cmd_conv(Args&) { throw UsageError("not yet"); }
int cmd_bench(Args&) { throw UsageError("not yet"); }
}
