// fake_apiserver: the in-test Kubernetes API server (fake_api_server.h) as a process, for
// bench/soak.sh (not a test). It writes a kubeconfig for itself (token auth, its own CA),
// prints "ready <url>" and then reads commands on stdin, one per line:
//
//   put <object JSON>                               create or replace an object
//   remove <apiVersion> <kind> <namespace> <name>   delete one
//   compact                                         forget history: watches get 410, relist
//   drop                                            cut every watch stream and connection
//   bookmark                                        send a BOOKMARK on every watch
//   stats                                           print lists/watches/gone counters
//   quit                                            (or end of input) stop
//
// Usage: fake_apiserver KUBECONFIG_OUT

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "kube_support/fake_api_server.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fake_apiserver KUBECONFIG_OUT\n";
    return 2;
  }
  meshward::testing::FakeApiServer server;
  server.set_token("soak-token");
  {
    std::ofstream kubeconfig(argv[1]);
    kubeconfig << "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
               << "clusters:\n- name: fake\n  cluster:\n    server: " << server.url()
               << "\n    certificate-authority: " << server.ca_file() << "\n"
               << "users:\n- name: soak\n  user:\n    token: soak-token\n"
               << "contexts:\n- name: fake\n  context: {cluster: fake, user: soak}\n";
    if (!kubeconfig) {
      std::cerr << "fake_apiserver: cannot write " << argv[1] << "\n";
      return 2;
    }
  }
  std::cout << "ready " << server.url() << std::endl;
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    try {
      if (command == "put") {
        std::string object;
        std::getline(in >> std::ws, object);
        server.put(object);
      } else if (command == "remove") {
        std::string api_version, kind, ns, name;
        in >> api_version >> kind >> ns >> name;
        server.remove(api_version, kind, ns, name);
      } else if (command == "compact") {
        server.compact();
      } else if (command == "drop") {
        server.drop_connections();
      } else if (command == "bookmark") {
        server.bookmark();
      } else if (command == "stats") {
        const auto s = server.stats();
        std::cout << "lists " << s.lists << " watches " << s.watches << " gone " << s.gone << " open_watches "
                  << s.open_watches << std::endl;
      } else if (command == "quit") {
        break;
      } else if (!command.empty()) {
        std::cerr << "fake_apiserver: unknown command \"" << command << "\"\n";
      }
    } catch (const std::exception& e) {
      std::cerr << "fake_apiserver: " << command << ": " << e.what() << "\n";
    }
  }
  return 0;
}
