// plan_fusion() on the seed network: which nodes run as one pass, what each pass writes, and the order of the
// passes (a conv block's shortcut conv early). The engine tests check that executing such plans gives the
// layer-by-layer bits; these check the plan itself.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "core/engine/fusion_plan.hpp"
#include "core/model/resnet50.hpp"

using namespace convscope;

namespace {

const Graph& seed_graph() {
    static const Graph g = build_resnet50({65, 65, 4, false});
    return g;
}

std::vector<char> all(const Graph& g) { return std::vector<char>(std::size_t(g.size()), 1); }
std::vector<char> none(const Graph& g) { return std::vector<char>(std::size_t(g.size()), 0); }

// The group that runs node `name`, as "node:fate" strings, or {} when it runs alone.
std::vector<std::string> group_of(const Graph& g, const FusionPlan& plan, const char* name) {
    const int gi = plan.group_of[std::size_t(g.find(name))];
    if (gi < 0) return {};
    std::vector<std::string> out;
    const FusedGroup& group = plan.groups[std::size_t(gi)];
    for (std::size_t k = 0; k < group.nodes.size(); ++k) {
        const char* fate = group.fate[k] == Fate::written ? "written" : group.fate[k] == Fate::derived ? "derived" : "dropped";
        out.push_back(g.node(group.nodes[k]).name + ":" + fate);
    }
    return out;
}

int position(const Graph& g, const FusionPlan& plan, const char* name) {
    const auto it = std::find(plan.order.begin(), plan.order.end(), g.find(name));
    return it == plan.order.end() ? -1 : int(it - plan.order.begin());
}

// Every needed node runs exactly once: as a pass of its own or inside the group whose pass is in the order.
void check_each_needed_node_runs_once(const Graph& g, const FusionPlan& plan, const std::vector<char>& needed) {
    std::vector<int> runs(std::size_t(g.size()), 0);
    for (int first : plan.order) {
        const int gi = plan.group_of[std::size_t(first)];
        if (gi < 0) {
            ++runs[std::size_t(first)];
            continue;
        }
        REQUIRE(plan.groups[std::size_t(gi)].nodes[0] == first);
        for (int n : plan.groups[std::size_t(gi)].nodes) ++runs[std::size_t(n)];
    }
    for (int i = 0; i < g.size(); ++i) {
        INFO(g.node(i).name);
        CHECK(runs[std::size_t(i)] == (needed[std::size_t(i)] ? 1 : 0));
    }
    // A pass runs after the passes of everything it reads (the run order is a valid schedule).
    std::vector<int> ran_at(std::size_t(g.size()), -1);
    for (std::size_t k = 0; k < plan.order.size(); ++k) {
        const int gi = plan.group_of[std::size_t(plan.order[k])];
        if (gi < 0) ran_at[std::size_t(plan.order[k])] = int(k);
        else
            for (int n : plan.groups[std::size_t(gi)].nodes) ran_at[std::size_t(n)] = int(k);
    }
    for (int i = 0; i < g.size(); ++i)
        for (int j : g.node(i).inputs)
            if (needed[std::size_t(i)] && needed[std::size_t(j)] && plan.group_of[std::size_t(i)] != plan.group_of[std::size_t(j)]) {
                INFO(g.node(j).name << " -> " << g.node(i).name);
                CHECK(ran_at[std::size_t(j)] < ran_at[std::size_t(i)]);
            }
}

}  // namespace

TEST_CASE("a full run fuses conv -> BN -> ReLU and each block's join into its last conv, writing only the ReLU") {
    const Graph& g = seed_graph();
    const FusionPlan plan = plan_fusion(g, all(g), none(g), KeepPolicy::all_nodes);
    check_each_needed_node_runs_once(g, plan, all(g));
    using V = std::vector<std::string>;
    CHECK(group_of(g, plan, "conv1") == V{"conv1:derived", "bn_conv1:derived", "conv1_relu:written"});
    CHECK(group_of(g, plan, "res3b_branch2b") ==
          V{"res3b_branch2b:derived", "bn3b_branch2b:derived", "res3b_branch2b_relu:written"});
    CHECK(group_of(g, plan, "res2a_branch2c") ==
          V{"res2a_branch2c:derived", "bn2a_branch2c:derived", "res2a_add:derived", "res2a_relu:written"});
    CHECK(group_of(g, plan, "res4f_add") ==
          V{"res4f_branch2c:derived", "bn4f_branch2c:derived", "res4f_add:derived", "res4f_relu:written"});
    // The join of res3a reads branch1's BN as an affine of its conv, after branch1's pass: the conv is written.
    CHECK(group_of(g, plan, "res3a_branch1") == V{"res3a_branch1:written", "bn3a_branch1:derived"});
    CHECK(group_of(g, plan, "pool1").empty());
    CHECK(group_of(g, plan, "conv1_pad").empty());
}

TEST_CASE("a conv block's shortcut conv runs early, right after the pass that makes the block input") {
    const Graph& g = seed_graph();
    const FusionPlan plan = plan_fusion(g, all(g), none(g), KeepPolicy::all_nodes);
    for (const Block& b : g.blocks) {
        INFO(b.name);
        if (b.shortcut.empty()) {
            const int gi = plan.group_of[std::size_t(b.main_path[6])];
            REQUIRE(gi >= 0);
            CHECK(!plan.groups[std::size_t(gi)].early);
            continue;
        }
        const int gi = plan.group_of[std::size_t(b.shortcut[0])];
        REQUIRE(gi >= 0);
        const FusedGroup& early = plan.groups[std::size_t(gi)];
        CHECK(early.early);
        // The block input's pass: pool1 alone for res2a, else the previous block's join in its branch2c pass.
        const int input_pass_first = plan.group_of[std::size_t(b.input)] >= 0
                                         ? plan.groups[std::size_t(plan.group_of[std::size_t(b.input)])].nodes[0]
                                         : b.input;
        CHECK(early.after == input_pass_first);
        CHECK(position(g, plan, g.node(b.shortcut[0]).name.c_str()) ==
              position(g, plan, g.node(input_pass_first).name.c_str()) + 1);
        CHECK(position(g, plan, g.node(b.shortcut[0]).name.c_str()) <
              position(g, plan, g.node(b.main_path[0]).name.c_str()));
    }
}

TEST_CASE("block_outputs: inner outputs read only inside their pass are dropped, block outputs written") {
    const Graph& g = seed_graph();
    const FusionPlan plan = plan_fusion(g, all(g), none(g), KeepPolicy::block_outputs);
    check_each_needed_node_runs_once(g, plan, all(g));
    using V = std::vector<std::string>;
    // The stem is kept, with its input: its conv and BN can still be derived.
    CHECK(group_of(g, plan, "conv1") == V{"conv1:derived", "bn_conv1:derived", "conv1_relu:written"});
    // The ReLU is written (the next conv reads it) but not kept: the run frees it after its last reader.
    CHECK(group_of(g, plan, "res3b_branch2a") ==
          V{"res3b_branch2a:dropped", "bn3b_branch2a:dropped", "res3b_branch2a_relu:written"});
    CHECK(group_of(g, plan, "res3b_branch2c") ==
          V{"res3b_branch2c:dropped", "bn3b_branch2c:dropped", "res3b_add:dropped", "res3b_relu:written"});
    // branch1's BN is the join's shortcut, read after its pass: written, not derivable from a dropped conv.
    CHECK(group_of(g, plan, "res3a_branch1") == V{"res3a_branch1:dropped", "bn3a_branch1:written"});
}

TEST_CASE("a held node is written, and a held Add keeps its join out of the conv epilogue") {
    const Graph& g = seed_graph();
    using V = std::vector<std::string>;
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs}) {
        std::vector<char> held = none(g);
        held[std::size_t(g.find("bn3b_branch2b"))] = 1;
        held[std::size_t(g.find("res3c_add"))] = 1;
        held[std::size_t(g.find("res3d_branch2a"))] = 1;
        const FusionPlan plan = plan_fusion(g, all(g), held, keep);
        check_each_needed_node_runs_once(g, plan, all(g));
        const char* bn3d = keep == KeepPolicy::all_nodes ? "bn3d_branch2a:derived" : "bn3d_branch2a:dropped";
        CHECK(group_of(g, plan, "res3d_branch2a") == V{"res3d_branch2a:written", bn3d, "res3d_branch2a_relu:written"});
        // A written BN is all its ReLU reads: the conv stays derivable.
        const char* conv3b = keep == KeepPolicy::all_nodes ? "res3b_branch2b:derived" : "res3b_branch2b:dropped";
        CHECK(group_of(g, plan, "res3b_branch2b") == V{conv3b, "bn3b_branch2b:written", "res3b_branch2b_relu:written"});
        // The epilogue writes no sum, so the Add and its ReLU run as a pass of their own after the conv and BN.
        // Its BN stays derivable when kept (the join pass reads it as an affine of the conv output).
        if (keep == KeepPolicy::all_nodes)
            CHECK(group_of(g, plan, "res3c_branch2c") == V{"res3c_branch2c:written", "bn3c_branch2c:derived"});
        else
            CHECK(group_of(g, plan, "res3c_branch2c") == V{"res3c_branch2c:dropped", "bn3c_branch2c:written"});
        CHECK(group_of(g, plan, "res3c_add") == V{"res3c_add:written", "res3c_relu:written"});
    }
}

TEST_CASE("after an edit only the nodes downstream are needed, and a join whose shortcut is cached still fuses") {
    const Graph& g = seed_graph();
    for (const char* edited : {"res3a_branch2c", "res3a_branch2b"}) {
        INFO(edited);
        std::vector<char> needed = none(g);
        for (int i : g.downstream(g.find(edited))) needed[std::size_t(i)] = 1;
        const FusionPlan plan = plan_fusion(g, needed, none(g), KeepPolicy::all_nodes);
        check_each_needed_node_runs_once(g, plan, needed);
        // res3a's shortcut (branch1, BN) is not needed: it stays cached, and the join reads it there.
        CHECK(plan.group_of[std::size_t(g.find("res3a_branch1"))] == -1);
        CHECK(position(g, plan, "res3a_branch1") == -1);
        const std::vector<std::string> join{"res3a_branch2c:derived", "bn3a_branch2c:derived", "res3a_add:derived",
                                            "res3a_relu:written"};
        CHECK(group_of(g, plan, "res3a_branch2c") == join);
        // The next conv block's shortcut is needed (downstream): early again, after res3d's join.
        const FusedGroup& res4a_branch1 = plan.groups[std::size_t(plan.group_of[std::size_t(g.find("res4a_branch1"))])];
        CHECK(res4a_branch1.early);
        CHECK(res4a_branch1.after == g.find("res3d_branch2c"));
    }
}

TEST_CASE("the unfused plan runs every needed node alone, in node order") {
    const Graph& g = seed_graph();
    std::vector<char> needed = none(g);
    for (int i : g.downstream(g.find("res4b_branch2a"))) needed[std::size_t(i)] = 1;
    const FusionPlan plan = unfused_plan(g, needed);
    CHECK(plan.groups.empty());
    CHECK(plan.order == g.downstream(g.find("res4b_branch2a")));
}

TEST_CASE("keeps(): block_outputs keeps the stem and block outputs only") {
    const Graph& g = seed_graph();
    for (const char* name : {"input", "conv1", "bn_conv1", "pool1", "res2a_relu", "res4f_relu"}) {
        INFO(name);
        CHECK(keeps(g, KeepPolicy::block_outputs, g.find(name)));
    }
    for (const char* name : {"res2a_branch2a", "bn2a_branch1", "res2a_add", "res4f_branch2b_relu"}) {
        INFO(name);
        CHECK(!keeps(g, KeepPolicy::block_outputs, g.find(name)));
        CHECK(keeps(g, KeepPolicy::all_nodes, g.find(name)));
    }
}
