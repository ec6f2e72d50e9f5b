# Copyright (c) 2026 The ovs-vtap authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# SPDX-License-Identifier: Apache-2.0
# lib/policy.mk: the allowed targets (Global's allowed_targets) and their
# unit test.

lib_libovsvtap_la_SOURCES += \
	lib/target-policy.c \
	include/ovs-vtap/target-policy.h

UNIT_TESTS += tests/test-target-policy
tests_test_target_policy_SOURCES = tests/test-target-policy.c
tests_test_target_policy_LDADD = $(unit_test_ldadd)
