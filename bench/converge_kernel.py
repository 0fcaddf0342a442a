# converge_kernel.py DIR: HSI up -> every peer's kernel route on the HSI path,
# from "ip -ts -o monitor link route" logs DIR/ip.GUEST.txt (converge_bench.sh).
import re,sys,glob,os,datetime,json
d=sys.argv[1]
VIPA={'LITDCON1':'10.20.7.100','LITSWAS1':'10.20.7.101','LITDAT01':'10.20.7.104'}
def ts(s): return datetime.datetime.fromisoformat(s).timestamp()
ups=[]; routes={g:[] for g in VIPA}
for g in VIPA:
    for line in open(f'{d}/ip.{g}.txt'):
        m=re.match(r'\[(\S+)\] (.*)',line)
        if not m: continue
        t=ts(m.group(1)); rest=m.group(2)
        mm=re.match(r'\d+: (hsi\d)@\S+: <([^>]*)>.*state UP',rest)
        if mm and 'NO-CARRIER' not in mm.group(2): ups.append((t,g,mm.group(1))); continue
        mm=re.match(r'(?:Deleted )?(10\.20\.7\.\d+) ',rest)
        if mm: routes[g].append((t,mm.group(1),'dev hsi' in rest and 'nexthop' not in rest and not rest.startswith('Deleted')))
ups.sort(); res=[]
for i,(t,g,ifn) in enumerate(ups):
    end=ups[i+1][0] if i+1<len(ups) else t+10
    last=t; pairs=0
    for r in VIPA:
        tgt=[VIPA[g]] if r!=g else [VIPA[o] for o in VIPA if o!=g]
        for p in tgt:
            # the first change onto HSI: a later prepare may move it off
            ev=[tt for tt,pp,h in routes[r] if pp==p and t<tt<end and h]
            if ev:
                pairs+=1; last=max(last,ev[0])
    res.append({'guest':g,'if':ifn,'pairs':pairs,'ms':round((last-t)*1000,1)})
print(json.dumps(res))
