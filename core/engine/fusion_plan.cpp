#include "core/engine/fusion_plan.hpp"

#include <algorithm>
#include <functional>

#include "core/layers/activation.hpp"
#include "core/layers/add.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv2d.hpp"

namespace convscope {

bool keeps(const Graph& graph, KeepPolicy keep, int node) {
    if (keep == KeepPolicy::all_nodes) return true;
    const int block = graph.block_of(node);
    return block < 0 || graph.blocks[std::size_t(block)].output == node;  // stem, top and block outputs
}

// The passes in run order: node order, except that an early group runs right after the pass starting at its
// `after` (first of all for -1), and a group's later nodes run inside its pass.
static std::vector<int> run_order(const Graph& graph, const std::vector<char>& needed,
                                  const std::vector<FusedGroup>& groups, const std::vector<int>& group_of) {
    std::vector<std::vector<int>> early_after(std::size_t(graph.size()) + 1);  // by after + 1
    for (const FusedGroup& g : groups)
        if (g.early) early_after[std::size_t(g.after + 1)].push_back(g.nodes[0]);
    std::vector<int> order;
    std::function<void(int)> place = [&](int first) {
        if (first >= 0) order.push_back(first);
        for (int e : early_after[std::size_t(first + 1)]) place(e);
    };
    place(-1);
    for (int i = 0; i < graph.size(); ++i) {
        const int g = group_of[std::size_t(i)];
        const FusedGroup* group = g >= 0 ? &groups[std::size_t(g)] : nullptr;
        if (needed[std::size_t(i)] && (!group || (group->nodes[0] == i && !group->early))) place(i);
    }
    return order;
}

FusionPlan unfused_plan(const Graph& graph, const std::vector<char>& needed) {
    FusionPlan plan;
    plan.group_of.assign(std::size_t(graph.size()), -1);
    plan.order = run_order(graph, needed, plan.groups, plan.group_of);
    return plan;
}

FusionPlan plan_fusion(const Graph& graph, const std::vector<char>& needed, const std::vector<char>& held,
                       KeepPolicy keep) {
    std::vector<FusedGroup> groups;
    std::vector<int> group_of(std::size_t(graph.size()), -1);
    auto only_reader = [&](int i) {
        const std::vector<int>& readers = graph.consumers(i);
        return readers.size() == 1 ? readers[0] : -1;
    };
    auto is_relu = [&](int i) {
        const auto* a = i >= 0 ? dynamic_cast<const Activation*>(graph.node(i).layer.get()) : nullptr;
        return a && a->config().activation == ActivationKind::relu && needed[std::size_t(i)];
    };
    auto is_join = [&](int i) {  // an Add that runs fused with its ReLU
        return i >= 0 && needed[std::size_t(i)] && dynamic_cast<const Add*>(graph.node(i).layer.get()) &&
               graph.node(i).inputs.size() == 2 && is_relu(only_reader(i));
    };
    auto kept = [&](int i) { return keeps(graph, keep, i); };
    auto may_defer = [&](int i) {
        if (held[std::size_t(i)] || !kept(i)) return false;
        for (int j : graph.node(i).inputs)
            if (!kept(j)) return false;
        return true;
    };
    auto may_drop = [&](int i) { return !held[std::size_t(i)] && !kept(i); };
    for (int i = 0; i < graph.size(); ++i) {
        if (!needed[std::size_t(i)]) continue;
        const Layer* layer = graph.node(i).layer.get();
        if (const auto* conv = dynamic_cast<const Conv2D*>(layer)) {
            FusedGroup g{{i}, {Fate::written}};
            const int bn = only_reader(i);
            if (conv->config().activation == ActivationKind::linear && bn >= 0 && needed[std::size_t(bn)] &&
                dynamic_cast<const BatchNormalization*>(graph.node(bn).layer.get())) {
                g.nodes.push_back(bn);
                if (may_drop(i)) g.fate[0] = Fate::dropped;
                const bool relu = is_relu(only_reader(bn));
                g.fate.push_back((relu || is_join(only_reader(bn))) && may_defer(bn) ? Fate::derived
                                 : relu && may_drop(bn)                              ? Fate::dropped
                                                                                     : Fate::written);
                if (relu) {
                    g.nodes.push_back(only_reader(bn));
                    g.fate.push_back(Fate::written);
                }
            }
            groups.push_back(g);
        } else if (is_join(i)) {
            const Fate add = may_defer(i) ? Fate::derived : may_drop(i) ? Fate::dropped : Fate::written;
            groups.push_back(FusedGroup{{i, only_reader(i)}, {add, Fate::written}});
        }
    }

    // Joins into conv epilogues.
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (int n : groups[g].nodes) group_of[std::size_t(n)] = int(g);
    auto first_of = [&](int n) {  // where n's pass starts: the first node of its group, or n itself
        const int g = group_of[std::size_t(n)];
        return g >= 0 ? groups[std::size_t(g)].nodes[0] : n;
    };
    std::vector<char> merged(groups.size(), 0);
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        FusedGroup& group = groups[gi];
        if (group.early || group.nodes.size() != 2 ||
            !dynamic_cast<const Conv2D*>(graph.node(group.nodes[0]).layer.get()))
            continue;
        const int conv = group.nodes[0], bn = group.nodes[1], add = only_reader(bn);
        if (!is_join(add)) continue;
        const std::vector<int>& add_inputs = graph.node(add).inputs;
        const int shortcut = add_inputs[1];
        const std::size_t join = std::size_t(group_of[std::size_t(add)]);
        // The epilogue computes bn + shortcut in that order (as the join pass does), and writes no sum.
        if (add_inputs[0] != bn || shortcut == bn || groups[join].fate[0] == Fate::written) continue;
        FusedGroup* early = nullptr;  // the shortcut's group, when it has to run earlier than node order
        int after = -1;
        if (needed[std::size_t(shortcut)] && first_of(shortcut) > conv) {
            if (group_of[std::size_t(shortcut)] < 0) continue;
            early = &groups[std::size_t(group_of[std::size_t(shortcut)])];
            bool ready = true;  // all it reads is computed before the conv, by passes that run in node order
            const std::vector<int>& inside = early->nodes;
            for (int n : inside)
                for (int j : graph.node(n).inputs) {
                    if (!needed[std::size_t(j)] || std::find(inside.begin(), inside.end(), j) != inside.end()) continue;
                    const int g = group_of[std::size_t(j)];
                    if (first_of(j) >= conv || (g >= 0 && groups[std::size_t(g)].early)) ready = false;
                    after = std::max(after, first_of(j));
                }
            if (!ready) continue;
        }
        group.nodes.insert(group.nodes.end(), groups[join].nodes.begin(), groups[join].nodes.end());
        group.fate[1] = may_defer(bn) ? Fate::derived : may_drop(bn) ? Fate::dropped : Fate::written;
        group.fate.insert(group.fate.end(), groups[join].fate.begin(), groups[join].fate.end());
        merged[join] = 1;
        for (int n : groups[join].nodes) group_of[std::size_t(n)] = int(gi);  // where a later shortcut looks
        if (early) {
            early->early = true;
            early->after = after;
        }
    }
    // A conv's output whose only reader is its BN, and whose value reaches nothing outside the pass (the BN's
    // readers are in the group, or the BN is written), is left to be recomputed on demand: nothing in the run
    // reads it back, and writing it cost ResNet50 about 5% of its pass on Zen 3 (bench/README.md). Decided
    // after the joins, which turn a [conv, BN] group's BN into one read only inside the pass. A [conv, BN] group
    // whose derived BN a later pass reads as an affine of the conv (a conv block's branch1) keeps it written.
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        FusedGroup& group = groups[gi];
        if (merged[gi] || group.nodes.size() < 2 || group.fate[0] != Fate::written ||
            !dynamic_cast<const Conv2D*>(graph.node(group.nodes[0]).layer.get()))
            continue;
        const bool read_only_inside = group.nodes.size() >= 3 || group.fate[1] == Fate::written;
        if (read_only_inside && may_defer(group.nodes[0])) group.fate[0] = Fate::derived;
    }
    // The merged joins go; group_of is renumbered to match (their nodes already point at the conv's group).
    FusionPlan plan;
    std::vector<int> renumbered(groups.size(), -1);
    for (std::size_t g = 0; g < groups.size(); ++g)
        if (!merged[g]) {
            renumbered[g] = int(plan.groups.size());
            plan.groups.push_back(std::move(groups[g]));
        }
    for (int& g : group_of)
        if (g >= 0) g = renumbered[std::size_t(g)];
    plan.group_of = std::move(group_of);
    plan.order = run_order(graph, needed, plan.groups, plan.group_of);
    return plan;
}

}  // namespace convscope
