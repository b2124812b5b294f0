#pragma once
// Which nodes of a run execute together as one pass over each output tile, and in which order the passes run.
// A pure function of the graph, the nodes a run needs and the keep policy, so it is tested on its own.
//
//   KeepPolicy                 which outputs stay cached after a run
//   keeps(graph, keep, node)   whether the policy caches node's output
//   Fate                       what a pass does with one node of its group: write, leave to derive, drop
//   plan_fusion(...)           the fused passes of the fast kernels, in run order
//   unfused_plan(graph, needed) every needed node alone, in node order (the reference kernels)
//
// The groups. Every Conv2D (alone, with its packed kernel) is joined by the BatchNormalization that is its only
// reader when the conv is linear, and by a ReLU that is the BN's only reader; a two-input Add whose only reader is
// a ReLU runs with it as one pass. When that BN is the first input of such an Add, the Add and its ReLU join the
// conv's pass too (a block's join in the conv epilogue: the conv output is not read back), provided the Add's
// other input, the shortcut, is ready by then: computed earlier in node order, not computed in this run, or
// computed by a group that can run early because all it reads comes before the conv. That group (a conv block's
// branch1 conv and BN) is marked early: it runs right after the pass that computes the last of its inputs (the
// block input, so that branch1 reads it while it is in cache, as branch2a does next). The Add must be derived
// or dropped: the epilogue writes no sum.
//
// The fates. A pass leaves unwritten (derived on demand, from the written outputs with the same arithmetic) a BN
// whose only reader is its group's ReLU or a fused Add -> ReLU, a fused Add, and the conv itself when its value
// reaches nothing outside the pass (its BN is read only inside the group, or written): the conv is then
// recomputed from its input when asked for. Only when the keep policy caches the node and its inputs (so the
// derivation's sources stay) and the caller does not hold it (`held`: compute() hands over the tensor itself). It drops a node the keep policy does not cache and the caller does not hold,
// read only inside its group (the conv and BN before a fused ReLU, the conv before its BN, the Add before its
// ReLU).

#include <vector>

#include "core/model/graph.hpp"

namespace convscope {

enum class KeepPolicy {
    all_nodes,      // every node's output stays cached (the viewer can step anywhere instantly)
    block_outputs,  // only the stem and block outputs stay; inner nodes are recomputed on demand
};

// Whether `keep` caches node's output: always for all_nodes; for block_outputs the nodes outside blocks (stem,
// top) and each block's output.
bool keeps(const Graph& graph, KeepPolicy keep, int node);

enum class Fate : char {
    written,  // the pass writes it
    derived,  // not written; made on demand from the outputs the pass wrote
    dropped,  // not written, and the keep policy would not keep it: only its group read it
};

struct FusedGroup {
    // conv; conv, bn; conv, bn, relu; conv, bn, add, relu (a block's join); or add, relu
    std::vector<int> nodes;
    std::vector<Fate> fate;  // per node of `nodes`
    // Runs right after the pass that starts at node `after` (first of all when after is -1), not in node order.
    bool early = false;
    int after = -1;
};

struct FusionPlan {
    std::vector<FusedGroup> groups;
    std::vector<int> group_of;  // per graph node: its index in groups, or -1 when it runs alone (or not at all)
    std::vector<int> order;     // the passes in the order they run, each by its first node
};

// needed and held are per graph node; held nodes are always written (the caller takes them).
FusionPlan plan_fusion(const Graph& graph, const std::vector<char>& needed, const std::vector<char>& held,
                       KeepPolicy keep);
FusionPlan unfused_plan(const Graph& graph, const std::vector<char>& needed);

}  // namespace convscope
