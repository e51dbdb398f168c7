#include "meshward/cli/args.h"

namespace meshward::cli {

Result<Args> Args::parse(const std::vector<std::string>& words, const std::vector<FlagSpec>& specs) {
  Args args;
  auto find = [&](std::string_view name, bool is_short) -> const FlagSpec* {
    for (const auto& spec : specs) {
      if ((is_short ? spec.short_name : spec.name) == name && !name.empty()) {
        return &spec;
      }
    }
    return nullptr;
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "-" || word.size() < 2 || word[0] != '-') {
      args.positional_.push_back(word);
      continue;
    }
    const bool is_short = word[1] != '-';
    std::string body = word.substr(is_short ? 1 : 2);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = find(body, is_short);
    if (spec == nullptr) {
      return Error{"unknown flag " + word};
    }
    std::string name(spec->name);
    if (!spec->takes_value) {
      if (inline_value) {
        return Error{"flag --" + name + " takes no value"};
      }
      args.flags_[name].push_back("true");
      continue;
    }
    if (inline_value) {
      args.flags_[name].push_back(*inline_value);
    } else if (i + 1 < words.size()) {
      args.flags_[name].push_back(words[++i]);
    } else {
      return Error{"flag --" + name + " needs a value"};
    }
  }
  return args;
}

std::optional<std::string> Args::value(std::string_view name) const {
  auto it = flags_.find(name);
  if (it == flags_.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second.back();
}

std::vector<std::string> Args::values(std::string_view name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::vector<std::string>{} : it->second;
}

bool Args::has(std::string_view name) const { return flags_.find(name) != flags_.end(); }

std::string describe_flags(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const auto& spec : specs) {
    std::string left = "  ";
    left += spec.short_name.empty() ? "    " : "-" + std::string(spec.short_name) + ", ";
    left += "--" + std::string(spec.name);
    if (spec.takes_value) {
      left += " VALUE";
    }
    if (left.size() < 28) {
      left.resize(28, ' ');
    } else {
      left += ' ';
    }
    out += left + std::string(spec.help) + "\n";
  }
  return out;
}

}  // namespace meshward::cli
