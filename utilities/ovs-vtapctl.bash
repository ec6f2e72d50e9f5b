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
# ovs-vtapctl.bash: bash completion of ovs-vtapctl's commands, options and
# the names of targets, capture filters, VTAPs and hosts (asked of the
# database).

_ovs_vtapctl_names () {
    ovs-vtapctl --timeout=2 "$1" 2>/dev/null
}

_ovs_vtapctl () {
    local commands="init show statistics add-target del-target \
list-targets add-filter del-filter list-filters add-rule del-rule \
list-rules add-vtap set-vtap del-vtap list-vtaps start stop list-hosts \
del-host set-allowed-targets get-allowed-targets list find get set add \
remove clear create destroy wait-until"
    local options="--db= --timeout= --dry-run --oneline --wait --format= \
--columns= --data= --no-headings --pretty --bare --verbose --log-file \
--private-key= --certificate= --ca-cert= --peer-ca-cert= --ssl-protocols= \
--ssl-ciphers= --help --version --may-exist --if-exists --force --host="
    local tables="Global VTAP Realization Host Host_Private Capture_Filter \
Capture_Rule Target Connection RBAC_Role RBAC_Permission"
    local cur=${COMP_WORDS[COMP_CWORD]}
    local cmd='' argn=0 i w

    # The command that the word being completed belongs to, and which of
    # its arguments the word is: commands are separated by "--".
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -- ]]; then
            cmd='' argn=0
        elif [[ -z $cmd ]]; then
            [[ $w == -* ]] || cmd=$w
        else
            argn=$((argn + 1))
        fi
    done

    local words=''
    if [[ -z $cmd ]]; then
        [[ $cur == -* ]] && words=$options || words=$commands
    else
        case $cmd:$argn in
            del-target:0) words=$(_ovs_vtapctl_names list-targets) ;;
            del-filter:0|list-rules:0|add-rule:0|del-rule:0)
                words=$(_ovs_vtapctl_names list-filters) ;;
            add-rule:1|del-rule:1) words="ingress egress" ;;
            add-rule:2) words="include exclude" ;;
            add-rule:*) words="order= proto= src= dst= sport= dport= \
icmp-type= icmp-code=" ;;
            del-vtap:0|set-vtap:0|start:0|stop:0|statistics:0)
                words=$(_ovs_vtapctl_names list-vtaps) ;;
            del-host:0)
                words=$(ovs-vtapctl --timeout=2 --bare --columns=name \
                        list Host 2>/dev/null) ;;
            statistics:1) words="cut_packets egress_bytes egress_packets \
ingress_bytes ingress_packets" ;;
            set-vtap:*) words="source= target= filter= vni= \
max-packet-size=" ;;
            add-vtap:1) words="port= iface-id= bridge= vlan=" ;;
            add-vtap:2) words=$(_ovs_vtapctl_names list-targets) ;;
            add-vtap:3) words=$(_ovs_vtapctl_names list-filters) ;;
            add-vtap:*) words="vni= max-packet-size=" ;;
            list:0|find:0|get:0|set:0|add:0|remove:0|clear:0|create:0|\
destroy:0|wait-until:0) words=$tables ;;
        esac
    fi
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
    return 0
}

complete -F _ovs_vtapctl ovs-vtapctl
