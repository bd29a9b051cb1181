// Seed "Archive process" sample; only the token, ids and host now come from the environment.
const accessToken = process.env.TOKEN;
const orgId = process.env.ORG_ID;
const runId = process.env.RUN_ID;
const apiUrl = `${process.env.BASE}/organizations/${orgId}/runs/${runId}`;
const headers = new Headers();
headers.append('Authorization', `Bearer ${accessToken}`);
headers.append('Accept', 'application/json');
headers.append('X-Tallyfy-Client', 'APIClient');
fetch(apiUrl, {
method: 'DELETE',
headers: headers
})
.then(response => {
return response.json().then(data => {
if (!response.ok) {
console.error(`Failed to archive process ${runId}:`, data);
throw new Error(`HTTP error! status: ${response.status}`);
}
console.log(`Archived process ${runId}. Status: ${response.status}`);
return data;
});
})
.then(data => {
console.log('Archived process details:');
console.log(JSON.stringify(data, null, 2));
})
.catch(error => {
console.error(`Error archiving process ${runId}:`, error.message);
});
