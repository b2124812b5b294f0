#pragma once
// A table of an enum's values and their names, in menu order, for the few enums a user picks by name
// (colormaps, normalisations): to_string(), the list of names a menu or an error message shows, and parsing all
// read the one table, so they cannot drift apart.
//
//   const Named<Colormap> k_maps[] = {{Colormap::gray, "gray"}, ...};
//   name_of(k_maps, v)     the name of v, or "?"
//   names_of(k_maps)       every name, in table order
//   find_named(k_maps, s)  the entry named s, or nullptr

#include <cstddef>
#include <string>
#include <vector>

namespace convscope {

template <typename E>
struct Named {
    E value;
    const char* name;
};

template <typename E, std::size_t N>
const char* name_of(const Named<E> (&table)[N], E value) {
    for (const Named<E>& entry : table)
        if (entry.value == value) return entry.name;
    return "?";
}

template <typename E, std::size_t N>
std::vector<std::string> names_of(const Named<E> (&table)[N]) {
    std::vector<std::string> names;
    for (const Named<E>& entry : table) names.push_back(entry.name);
    return names;
}

template <typename E, std::size_t N>
const Named<E>* find_named(const Named<E> (&table)[N], const std::string& name) {
    for (const Named<E>& entry : table)
        if (name == entry.name) return &entry;
    return nullptr;
}

}  // namespace convscope
