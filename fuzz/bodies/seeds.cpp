// Seed inputs built from the repository's manifests (tests/golden, examples, charts): see
// meshward_fuzz/fuzz.h. Used by fuzz/seed.sh (through the fuzz_seeds tool) and replayed by
// tests/fuzz/fuzz_regression_test.cpp.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common.h"
#include "meshward/core/json.h"
#include "meshward/model/decode.h"
#include "meshward/model/document.h"

namespace meshward::fuzz {

namespace {

namespace fs = std::filesystem;

// Larger files make libFuzzer's inputs (and every execution) larger; none of ours needs it.
constexpr std::uintmax_t kMaxSeedBytes = 32 * 1024;

struct Source {
  std::string name;  // Relative path, '/' turned into '_'.
  std::string text;
};

std::vector<Source> manifest_sources(const std::string& root) {
  std::vector<fs::path> files;
  for (const char* dir : {"tests/golden", "examples", "charts"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(fs::path(root) / dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& p = it->path();
      const std::string ext = p.extension().string();
      if (!it->is_regular_file(ec) || (ext != ".yaml" && ext != ".yml" && ext != ".json") ||
          p.filename().string().find("expected") != std::string::npos ||
          it->file_size(ec) > kMaxSeedBytes) {
        continue;
      }
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Source> out;
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string name = fs::relative(p, root).string();
    std::replace(name.begin(), name.end(), '/', '_');
    out.push_back({std::move(name), std::move(text)});
  }
  return out;
}

// The objects (List items included) of a manifest, each as its own JSON document.
std::vector<std::unique_ptr<json::Document>> objects_of(const Source& source) {
  std::vector<std::unique_ptr<json::Document>> out;
  model::ParsedStream parsed = model::parse_stream(source.text, source.name, model::InputFormat::Auto, false);
  auto add = [&](const json::Value& v) {
    if (!v.IsObject() || !v.HasMember("kind") || !v["kind"].IsString() || !v.HasMember("apiVersion")) {
      return;
    }
    auto doc = std::make_unique<json::Document>();
    doc->CopyFrom(v, doc->GetAllocator());
    out.push_back(std::move(doc));
  };
  for (const auto& doc : parsed.documents) {
    const json::Value& root = *doc.json;
    if (root.IsObject() && root.HasMember("items") && root["items"].IsArray()) {
      for (const auto& item : root["items"].GetArray()) {
        add(item);
      }
    } else {
      add(root);
    }
  }
  return out;
}

std::string string_of(const json::Value& v, const char* key) {
  if (v.IsObject() && v.HasMember(key) && v[key].IsString()) {
    return v[key].GetString();
  }
  return {};
}

std::string json_quote(std::string_view s) {
  json::StringBuffer buf;
  json::Writer w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

// An AdmissionReview for `object`; version and operation rotate with `n`.
std::string review_for(const json::Document& object, std::size_t n) {
  const std::string api = string_of(object, "apiVersion");
  const std::string kind = string_of(object, "kind");
  const auto slash = api.find('/');
  const std::string group = slash == std::string::npos ? "" : api.substr(0, slash);
  const std::string version = slash == std::string::npos ? api : api.substr(slash + 1);
  std::string ns = "default";
  std::string name;
  if (object.HasMember("metadata")) {
    ns = string_of(object["metadata"], "namespace");
    name = string_of(object["metadata"], "name");
    if (ns.empty()) {
      ns = "default";
    }
  }
  static constexpr const char* kOps[] = {"CREATE", "UPDATE", "DELETE", "CREATE"};
  const char* op = kOps[n % 4];
  const std::string body = json::to_string(object);
  std::string out = "{\"apiVersion\":\"admission.k8s.io/" + std::string(n % 3 == 2 ? "v1beta1" : "v1") +
                    "\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"" + std::to_string(n) +
                    "-fuzz\",\"kind\":{\"group\":" + json_quote(group) + ",\"version\":" +
                    json_quote(version) + ",\"kind\":" + json_quote(kind) + "},\"name\":" +
                    json_quote(name) + ",\"namespace\":" + json_quote(ns) + ",\"operation\":\"" + op +
                    "\",\"dryRun\":" + (n % 5 == 0 ? "true" : "false");
  if (std::string_view(op) != "DELETE") {
    out += ",\"object\":" + body;
  }
  if (std::string_view(op) != "CREATE") {
    out += ",\"oldObject\":" + body;
  }
  out += "}}";
  return out;
}

std::vector<Seed> admission_seeds(const std::string& root) {
  std::vector<Seed> out;
  std::size_t n = 0;
  for (const auto& source : manifest_sources(root)) {
    if (source.name.rfind("examples_admission_", 0) == 0) {
      out.push_back({source.name, source.text});
      continue;
    }
    for (const auto& object : objects_of(source)) {
      out.push_back({"review-" + std::to_string(n) + "-" + source.name, review_for(*object, n)});
      ++n;
    }
  }
  return out;
}

std::string http_request(std::string_view method, std::string_view target, std::string_view headers,
                         std::string_view body) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: meshward\r\n";
  out += headers;
  if (!body.empty() || method == "POST") {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

std::string chunked(std::string_view body) {
  std::ostringstream out;
  for (std::size_t i = 0; i < body.size(); i += 700) {
    const std::string_view part = body.substr(i, 700);
    out << std::hex << part.size() << "\r\n" << part << "\r\n";
  }
  out << "0\r\n\r\n";
  return out.str();
}

std::vector<Seed> http_seeds(const std::string& root) {
  std::vector<Seed> out;
  const std::string json = "Content-Type: application/json\r\n";
  out.push_back({"healthz", http_request("GET", "/healthz", "", "")});
  out.push_back({"readyz-metrics", http_request("GET", "/readyz", "", "") +
                                       http_request("GET", "/metrics", "Connection: close\r\n", "")});
  out.push_back({"not-found", http_request("GET", "/nope?x=1", "", "")});
  out.push_back({"wrong-method", http_request("DELETE", "/validate", "", "") +
                                     http_request("POST", "/healthz", "", "")});
  out.push_back({"http10", "GET /healthz HTTP/1.0\r\n\r\n"});
  out.push_back({"bad-type", http_request("POST", "/validate", "Content-Type: text/plain\r\n", "{}")});
  out.push_back({"empty-review", http_request("POST", "/validate?timeout=10s", json, "{}")});
  out.push_back({"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http"});
  const auto reviews = admission_seeds(root);
  for (std::size_t i = 0; i < reviews.size(); i += 7) {
    const std::string& body = reviews[i].data;
    switch (i % 4) {
      case 0:
        out.push_back({"validate-" + reviews[i].name, http_request("POST", "/validate", json, body)});
        break;
      case 1:
        out.push_back({"continue-" + reviews[i].name,
                       http_request("POST", "/validate/", json + "Expect: 100-continue\r\n", body)});
        break;
      case 2:
        out.push_back({"chunked-" + reviews[i].name,
                       "POST /validate HTTP/1.1\r\nHost: meshward\r\n" + json +
                           "Transfer-Encoding: chunked\r\n\r\n" + chunked(body)});
        break;
      default:
        out.push_back({"pipelined-" + reviews[i].name,
                       http_request("POST", "/validate", json, body) + http_request("GET", "/metrics", "", "") +
                           http_request("POST", "/validate", json + "Connection: close\r\n", body)});
        break;
    }
  }
  return out;
}

// Objects of one manifest grouped by kind, for watch streams and list pages.
std::map<std::string, std::vector<std::unique_ptr<json::Document>>> by_kind(const Source& source) {
  std::map<std::string, std::vector<std::unique_ptr<json::Document>>> out;
  for (auto& object : objects_of(source)) {
    const std::string kind = string_of(*object, "kind");
    if (model::parse_kind(kind)) {
      out[kind].push_back(std::move(object));
    }
  }
  return out;
}

void set_resource_version(json::Document& doc, std::size_t rv) {
  if (!doc.HasMember("metadata") || !doc["metadata"].IsObject()) {
    return;
  }
  json::Value& meta = doc["metadata"];
  meta.RemoveMember("resourceVersion");
  meta.AddMember("resourceVersion", json::Value(std::to_string(rv).c_str(), doc.GetAllocator()),
                 doc.GetAllocator());
}

std::vector<Seed> watch_seeds(const std::string& root) {
  std::vector<Seed> out;
  std::size_t rv = 100;
  for (const auto& source : manifest_sources(root)) {
    for (auto& [kind, objects] : by_kind(source)) {
      std::string stream = kind + "\n";
      for (auto& object : objects) {
        set_resource_version(*object, ++rv);
        stream += "{\"type\":\"ADDED\",\"object\":" + json::to_string(*object) + "}\n";
      }
      set_resource_version(*objects.front(), ++rv);
      stream += "{\"type\":\"MODIFIED\",\"object\":" + json::to_string(*objects.front()) + "}\n";
      stream += "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + kind +
                "\",\"metadata\":{\"resourceVersion\":\"" + std::to_string(++rv) + "\"}}}\n";
      stream += "{\"type\":\"DELETED\",\"object\":" + json::to_string(*objects.back()) + "}\n";
      if (rv % 2 == 0) {
        stream += "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                  "\"Failure\",\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}\n";
      }
      out.push_back({kind + "-" + source.name, std::move(stream)});
    }
  }
  return out;
}

std::vector<Seed> list_seeds(const std::string& root) {
  std::vector<Seed> out;
  std::size_t rv = 100;
  for (const auto& source : manifest_sources(root)) {
    for (auto& [kind, objects] : by_kind(source)) {
      ++rv;
      std::string page = kind + "\n{\"kind\":\"" + kind + "List\",\"apiVersion\":\"v1\",\"metadata\":{" +
                         "\"resourceVersion\":\"" + std::to_string(rv) + "\"" +
                         (rv % 3 == 0 ? ",\"continue\":\"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ\"" : "") +
                         "},\"items\":[";
      for (std::size_t i = 0; i < objects.size(); ++i) {
        page += (i == 0 ? "" : ",") + json::to_string(*objects[i]);
      }
      page += "]}";
      out.push_back({kind + "-" + source.name, std::move(page)});
    }
  }
  return out;
}

void collect_regexes(const json::Value& v, std::vector<std::string>& out) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (std::string_view(m.name.GetString()) == "regex" && m.value.IsString()) {
        out.emplace_back(m.value.GetString(), m.value.GetStringLength());
      } else {
        collect_regexes(m.value, out);
      }
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      collect_regexes(e, out);
    }
  }
}

std::vector<Seed> regex_seeds(const std::string& root) {
  std::vector<std::string> found;
  for (const auto& source : manifest_sources(root)) {
    for (const auto& object : objects_of(source)) {
      collect_regexes(*object, found);
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<Seed> out;
  for (std::size_t i = 0; i < found.size(); ++i) {
    out.push_back({"regex-" + std::to_string(i), found[i]});
  }
  return out;
}

}  // namespace

std::vector<Seed> seeds(std::string_view target, const std::string& root) {
  if (target == "decode") {
    std::vector<Seed> out;
    for (auto& source : manifest_sources(root)) {
      out.push_back({std::move(source.name), std::move(source.text)});
    }
    return out;
  }
  if (target == "admission") {
    return admission_seeds(root);
  }
  if (target == "http") {
    return http_seeds(root);
  }
  if (target == "kube_watch") {
    return watch_seeds(root);
  }
  if (target == "kube_list") {
    return list_seeds(root);
  }
  if (target == "regex") {
    return regex_seeds(root);
  }
  return {};  // kubeconfig, policy: the committed seeds in fuzz/seeds/<target>/.
}

}  // namespace meshward::fuzz
