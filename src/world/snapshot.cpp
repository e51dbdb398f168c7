#include "meshward/world/snapshot.h"
