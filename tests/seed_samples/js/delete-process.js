// Seed "Delete process" sample; only the token, ids and host now come from the environment.
const accessToken = process.env.TOKEN;
const orgId = process.env.ORG_ID;
const runId = process.env.RUN_ID;
const apiUrl = `${process.env.BASE}/organizations/${orgId}/runs/${runId}/delete`;
const headers = new Headers();
headers.append('Authorization', `Bearer ${accessToken}`);
headers.append('Accept', 'application/json');
headers.append('X-Tallyfy-Client', 'APIClient');
fetch(apiUrl, {
method: 'DELETE',
headers: headers
})
.then(response => {
if (response.ok) {
console.log(`Permanently deleted process ${runId}. Status: ${response.status}`);
return response.text().then(text => {
if (text) {
try { return JSON.parse(text); }
catch (e) { return null; }
}
return null;
});
} else {
return response.json()
.catch(() => response.text())
.then(errData => {
console.error(`Failed (${response.status}):`, errData);
throw new Error(`HTTP error ${response.status}`);
});
}
})
.then(data => {
if (data) console.log(JSON.stringify(data, null, 2));
})
.catch(error => console.error('Delete failed:', error.message));
